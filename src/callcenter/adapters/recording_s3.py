"""RecordingStore in an S3-compatible bucket: MixMonitor writes to the PBX's spool as always;
a finished recording is uploaded when its call is stored (and the spool copy removed unless it
is to be kept), played back with ranged GETs, deleted per retention.

A recording whose upload failed stays in the spool and is served from there; the next `take`
(e.g. a re-index) uploads it again.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from callcenter.adapters.recording_files import SAFE_NAME, LocalRecordingStore
from callcenter.adapters.s3.client import ObjectInfo, S3Client, S3Error
from callcenter.ports.recordings import RecordingFacts

log = logging.getLogger(__name__)
UNREACHABLE = (S3Error, httpx.HTTPError, OSError)  # the bucket did not answer as it should


class S3RecordingStore:
    """Recordings as objects `{prefix}{name}` of one bucket, with the spool as their source."""

    def __init__(
        self,
        client: S3Client,
        *,
        spool: Path | None,
        prefix: str = "",
        part_size: int = 8 * 1024 * 1024,
        keep_local: bool = False,
    ) -> None:
        self._s3 = client
        self._spool = LocalRecordingStore(spool) if spool is not None else None
        self._spool_dir = spool
        self._prefix = prefix
        self._part_size = part_size
        self._keep_local = keep_local

    def _key(self, name: str) -> str | None:
        return f"{self._prefix}{name}" if SAFE_NAME.match(name) and ".." not in name else None

    async def take(self, name: str) -> RecordingFacts | None:
        """Upload a finished recording from the spool (size, duration and hash go along as the
        object's metadata); its facts, or the bucket's when the spool has it no more."""
        key = self._key(name)
        if key is None:
            return None
        local = await self._spool.facts(name) if self._spool is not None else None
        if local is None or self._spool_dir is None:
            return await self.facts(name)
        metadata = {"sha256": local.sha256}
        if local.duration_s is not None:
            metadata["duration"] = f"{local.duration_s:.3f}"
        try:
            await self._s3.upload_file(
                key, self._spool_dir / name, metadata, part_size=self._part_size
            )
            stored = await self._s3.head(key)
        except UNREACHABLE as exc:
            log.warning("recording %s not uploaded, kept in the spool: %s", name, exc)
            return local
        if stored is None or stored.size != local.size_bytes:
            log.warning("recording %s: the bucket does not have all of it; kept in the spool", name)
            return local
        if not self._keep_local and self._spool is not None:
            await self._spool.delete(name)
        return local

    async def facts(self, name: str) -> RecordingFacts | None:
        key = self._key(name)
        if key is None:
            return None
        found = await self._head(key)
        if found is None:
            return await self._spool.facts(name) if self._spool is not None else None
        duration = found.metadata.get("duration")
        return RecordingFacts(
            name=name,
            size_bytes=found.size,
            duration_s=float(duration) if duration else None,
            sha256=found.metadata.get("sha256", ""),
        )

    async def size(self, name: str) -> int | None:
        key = self._key(name)
        if key is None:
            return None
        found = await self._head(key)
        if found is not None:
            return found.size
        return await self._spool.size(name) if self._spool is not None else None

    async def read(self, name: str, start: int, length: int) -> AsyncIterator[bytes]:
        key = self._key(name)
        if key is None:
            raise FileNotFoundError(name)
        sent = False
        try:
            async for chunk in self._s3.get_range(key, start, length):
                sent = True
                yield chunk
            return
        except (FileNotFoundError, *UNREACHABLE) as exc:
            if self._spool is None or sent:
                raise
            if not isinstance(exc, FileNotFoundError):
                log.warning("recording %s: bucket unreachable (%s), reading the spool", name, exc)
        async for chunk in self._spool.read(name, start, length):  # not uploaded (yet)
            yield chunk

    async def delete(self, name: str) -> bool:
        key = self._key(name)
        if key is None:
            return False
        was = await self._s3.head(key) is not None
        if was:
            await self._s3.delete(key)
        local = await self._spool.delete(name) if self._spool is not None else False
        return was or local

    async def aclose(self) -> None:
        await self._s3.aclose()

    async def _head(self, key: str) -> ObjectInfo | None:
        """The object's HEAD; None when it is not there, or the bucket cannot say and the spool
        may have the file (the caller looks there next)."""
        try:
            return await self._s3.head(key)
        except UNREACHABLE as exc:
            if self._spool is None:
                raise
            log.warning("recording store: bucket unreachable (%s), trying the spool", exc)
            return None
