"""SigV4 signing: the S3 API reference's worked example, and the same signatures botocore
(another implementation) computes for the requests the recording store makes."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials

from callcenter.adapters.s3.sigv4 import (
    EMPTY_SHA256,
    Credentials,
    canonical_query,
    sign,
    uri_encode,
)


def test_the_s3_reference_example_of_a_ranged_get() -> None:
    # "Example: GET Object" of the S3 API reference (Authenticating Requests: AWS SigV4)
    creds = Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    headers = sign(
        creds, method="GET", host="examplebucket.s3.amazonaws.com", path="/test.txt", query={},
        headers={"Range": "bytes=0-9"}, payload_sha256=EMPTY_SHA256,
        now=datetime(2013, 5, 24, tzinfo=UTC),
    )  # fmt: skip
    assert headers["Authorization"].endswith(
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    )
    assert headers["x-amz-date"] == "20130524T000000Z"


@pytest.mark.parametrize(
    ("method", "path", "query", "extra", "body"),
    [
        ("GET", "/recordings/calls/pbx1-1796.7.wav", {}, {"Range": "bytes=100-1099"}, b""),
        ("PUT", "/recordings/calls/pbx1-1796.7.wav", {}, {"x-amz-meta-sha256": "ab12"}, b"RIFF"),
        ("POST", "/recordings/calls/a+b c.wav", {"uploads": ""}, {}, b""),
        ("PUT", "/rec/x.wav", {"partNumber": "2", "uploadId": "a/b+c=="}, {}, b"part"),
        ("DELETE", "/rec/call recordings/\u00e9t\u00e9.wav", {}, {}, b""),
    ],
)
def test_signatures_match_botocores(
    method: str, path: str, query: dict[str, str], extra: dict[str, str], body: bytes
) -> None:
    qs = canonical_query(query)
    url = f"http://127.0.0.1:9000{uri_encode(path, keep_slash=True)}" + (f"?{qs}" if qs else "")
    theirs = AWSRequest(method=method, url=url, headers=dict(extra), data=body)
    S3SigV4Auth(BotoCredentials("AKID", "SECRET"), "s3", "eu-central-1").add_auth(theirs)
    when = datetime.strptime(theirs.headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    ours = sign(
        Credentials("AKID", "SECRET", "eu-central-1"), method=method, host="127.0.0.1:9000",
        path=path, query=query, headers=extra, payload_sha256=hashlib.sha256(body).hexdigest(),
        now=when,
    )  # fmt: skip
    assert ours["Authorization"] == theirs.headers["Authorization"]
    assert ours["x-amz-content-sha256"] == theirs.headers["X-Amz-Content-SHA256"]
