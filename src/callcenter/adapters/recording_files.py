"""RecordingStore over a local directory: MixMonitor's spool as this process sees it."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import stat
import wave
from collections.abc import AsyncIterator
from pathlib import Path

from callcenter.ports.recordings import RecordingFacts

CHUNK = 1024 * 1024  # per read: one thread hop per MiB streamed
# Base names only: no directory parts, no hidden files, nothing a path could be made of.
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,254}$")


class LocalRecordingStore:
    """Files named by their base name inside one directory."""

    def __init__(self, directory: Path) -> None:
        self._dir = directory

    def _path(self, name: str) -> Path | None:
        if not SAFE_NAME.match(name) or ".." in name:
            return None
        return self._dir / name

    async def take(self, name: str) -> RecordingFacts | None:
        """A finished recording is already where it stays: its facts."""
        return await self.facts(name)

    async def aclose(self) -> None:
        """Nothing to release."""

    async def facts(self, name: str) -> RecordingFacts | None:
        path = self._path(name)
        if path is None:
            return None
        return await asyncio.to_thread(_facts, path, name)

    async def size(self, name: str) -> int | None:
        path = self._path(name)
        if path is None:
            return None
        try:
            found = await asyncio.to_thread(path.stat)
        except OSError:
            return None
        return found.st_size if stat.S_ISREG(found.st_mode) else None

    async def read(self, name: str, start: int, length: int) -> AsyncIterator[bytes]:
        path = self._path(name)
        if path is None:
            raise FileNotFoundError(name)
        if length <= CHUNK:  # a player's seek: open, read and close in one thread hop
            yield await asyncio.to_thread(_read_once, path, length, start)
            return
        fd = await asyncio.to_thread(os.open, path, os.O_RDONLY)
        try:
            offset, end = start, start + length
            while offset < end:  # one thread hop per chunk: pread at the offset
                chunk = await asyncio.to_thread(os.pread, fd, min(CHUNK, end - offset), offset)
                if not chunk:
                    break
                offset += len(chunk)
                yield chunk
        finally:
            await asyncio.to_thread(os.close, fd)

    async def delete(self, name: str) -> bool:
        path = self._path(name)
        if path is None:
            return False
        try:
            await asyncio.to_thread(path.unlink)
        except FileNotFoundError:
            return False
        return True


def _read_once(path: Path, size: int, offset: int) -> bytes:
    fd = os.open(path, os.O_RDONLY)
    try:
        return os.pread(fd, size, offset) if size > 0 else b""
    finally:
        os.close(fd)


def _facts(path: Path, name: str) -> RecordingFacts | None:
    if not path.is_file():
        return None
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return RecordingFacts(
        name=name,
        size_bytes=path.stat().st_size,
        duration_s=_wav_seconds(path),
        sha256=digest.hexdigest(),
    )


def _wav_seconds(path: Path) -> float | None:
    try:
        with wave.open(str(path), "rb") as audio:
            rate = audio.getframerate()
            return round(audio.getnframes() / rate, 3) if rate else None
    except (wave.Error, EOFError, OSError):
        return None
