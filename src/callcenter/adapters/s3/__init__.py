"""An S3-compatible object store spoken to over HTTP: AWS Signature Version 4 and the few
object calls the recordings need (PUT, multipart upload, ranged GET, HEAD, DELETE)."""
