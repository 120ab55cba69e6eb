"""The object calls of the S3 REST API over httpx, signed with SigV4 (path-style addressing:
`{endpoint}/{bucket}/{key}`, which AWS, MinIO, Ceph RGW, Garage and moto all answer)."""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree

import httpx

from callcenter.adapters.s3.sigv4 import (
    EMPTY_SHA256,
    Credentials,
    canonical_query,
    sign,
    uri_encode,
)

META = "x-amz-meta-"
MIN_PART = 5 * 1024 * 1024  # S3's smallest part but the last
_UPLOAD_ID = re.compile(r"<UploadId>([^<]+)</UploadId>")


class S3Error(Exception):
    """The store answered with an error (status, S3's code and message)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"S3 {status} {code}: {message}")
        self.status, self.code = status, code


@dataclass(frozen=True)
class ObjectInfo:
    """What a HEAD says of an object: size and its x-amz-meta-* values."""

    size: int
    metadata: dict[str, str]


class S3Client:
    """One bucket of an S3-compatible store."""

    def __init__(
        self, *, endpoint: str, bucket: str, creds: Credentials, timeout_s: float = 30.0
    ) -> None:
        base = httpx.URL(endpoint.rstrip("/"))
        self._host = base.netloc.decode()
        self._origin = f"{base.scheme}://{self._host}"
        self._root = base.path.rstrip("/")  # a store served under a path: part of what is signed
        self._bucket = bucket
        self._creds = creds
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=32)
        self._http = httpx.AsyncClient(timeout=timeout_s, limits=limits)

    async def aclose(self) -> None:
        await self._http.aclose()

    def _request(
        self,
        method: str,
        key: str,
        *,
        query: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
    ) -> httpx.Request:
        path = f"{self._root}/{self._bucket}/{key}"
        query = query or {}
        wanted = dict(headers or {})
        payload = hashlib.sha256(body).hexdigest() if body else EMPTY_SHA256
        signed = sign(
            self._creds, method=method, host=self._host, path=path, query=query,
            headers=wanted, payload_sha256=payload, now=datetime.now(UTC),
        )  # fmt: skip
        qs = canonical_query(query)
        url = f"{self._origin}{uri_encode(path, keep_slash=True)}" + (f"?{qs}" if qs else "")
        return self._http.build_request(
            method, url, headers={**wanted, **signed}, content=body or None
        )

    async def _send(
        self, request: httpx.Request, *, ok: tuple[int, ...] = (200,)
    ) -> httpx.Response:
        reply = await self._http.send(request)
        if reply.status_code not in ok:
            raise _error(reply.status_code, reply.text)
        return reply

    async def head(self, key: str) -> ObjectInfo | None:
        """Size and metadata of the object; None when there is none."""
        reply = await self._http.send(self._request("HEAD", key))
        if reply.status_code == 404:
            return None
        if reply.status_code != 200:
            raise S3Error(reply.status_code, "HeadFailed", reply.reason_phrase)
        metadata = {
            k[len(META) :]: v for k, v in reply.headers.items() if k.lower().startswith(META)
        }
        return ObjectInfo(int(reply.headers["content-length"]), metadata)

    async def put(self, key: str, body: bytes, metadata: Mapping[str, str]) -> None:
        """One PUT of the whole object (signed payload)."""
        headers = {f"{META}{k}": v for k, v in metadata.items()}
        await self._send(self._request("PUT", key, headers=headers, body=body))

    async def upload_file(
        self, key: str, path: Path, metadata: Mapping[str, str], *, part_size: int
    ) -> None:
        """The file as one PUT when it fits in a part, else a multipart upload read part by part
        (one part in memory at a time); a failed multipart upload is aborted."""
        size = (await asyncio.to_thread(path.stat)).st_size
        part_size = max(part_size, MIN_PART)
        if size <= part_size:
            await self.put(key, await asyncio.to_thread(path.read_bytes), metadata)
            return
        headers = {f"{META}{k}": v for k, v in metadata.items()}
        reply = await self._send(self._request("POST", key, query={"uploads": ""}, headers=headers))
        found = _UPLOAD_ID.search(reply.text)
        if found is None:
            raise S3Error(reply.status_code, "NoUploadId", reply.text[:200])
        upload_id = found.group(1)
        try:
            etags = []
            for number, offset in enumerate(range(0, size, part_size), start=1):
                data = await asyncio.to_thread(_read_part, path, offset, part_size)
                part = self._request(
                    "PUT", key, query={"partNumber": str(number), "uploadId": upload_id},
                    body=data,
                )  # fmt: skip
                etags.append((await self._send(part)).headers["etag"])
            done = "".join(
                f"<Part><PartNumber>{n}</PartNumber><ETag>{tag}</ETag></Part>"
                for n, tag in enumerate(etags, start=1)
            )
            body = f"<CompleteMultipartUpload>{done}</CompleteMultipartUpload>".encode()
            reply = await self._send(
                self._request("POST", key, query={"uploadId": upload_id}, body=body)
            )
            if b"<Error>" in reply.content:  # S3 may report a failed completion with a 200
                raise _error(reply.status_code, reply.text)
        except BaseException:
            abort = self._request("DELETE", key, query={"uploadId": upload_id})
            await asyncio.shield(self._http.send(abort))
            raise

    async def get_range(self, key: str, start: int, length: int) -> AsyncIterator[bytes]:
        """`length` bytes from `start`, streamed; FileNotFoundError when there is no object."""
        if length <= 0:
            return
        request = self._request(
            "GET", key, headers={"Range": f"bytes={start}-{start + length - 1}"}
        )
        reply = await self._http.send(request, stream=True)
        try:
            if reply.status_code == 404:
                raise FileNotFoundError(key)
            if reply.status_code not in (200, 206):
                raise _error(reply.status_code, (await reply.aread()).decode(errors="replace"))
            async for chunk in reply.aiter_bytes(256 * 1024):
                yield chunk
        finally:
            await reply.aclose()

    async def delete(self, key: str) -> None:
        """Remove the object (S3 says 204 whether it was there or not)."""
        await self._send(self._request("DELETE", key), ok=(200, 204))


def _read_part(path: Path, offset: int, size: int) -> bytes:
    with path.open("rb") as handle:
        handle.seek(offset)
        return handle.read(size)


def _error(status: int, text: str) -> S3Error:
    try:
        root = ElementTree.fromstring(text)
        return S3Error(status, root.findtext("Code") or "", root.findtext("Message") or "")
    except ElementTree.ParseError:
        return S3Error(status, "", text[:200])
