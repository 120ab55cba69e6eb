"""Where call recordings live (RecordingStore) and what is known of each (RecordingIndex).

The store speaks in base names (`pbx1-1796316263.0.wav`), never in paths of the server: a
recording's location is the adapter's business. The default adapter is a local directory (the
PBX's monitor spool as mounted here); the S3-compatible one uploads finished recordings from that
spool into a bucket and plays them from there.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class RecordingFacts:
    """What the store says of one file."""

    name: str
    size_bytes: int
    duration_s: float | None  # None when the format is not one we can read
    sha256: str


@dataclass(frozen=True)
class Playable:
    """A recording about to be played: its name in the store, size and a tag for caches."""

    name: str
    size_bytes: int
    etag: str


@dataclass(frozen=True)
class StoredRecording:
    """A call's recording as indexed when the call was stored."""

    pbx: str
    linkedid: str
    file: str
    size_bytes: int | None
    duration_s: float | None
    sha256: str | None
    group_slug: str | None
    stored_at: datetime
    pauses: tuple[dict[str, Any], ...] = field(default_factory=tuple)


class RecordingStore(Protocol):
    """Recording files by base name."""

    async def take(self, name: str) -> RecordingFacts | None:
        """A finished recording (its call has ended) into the store for good; its facts, None
        when there is no such file."""
        ...

    async def facts(self, name: str) -> RecordingFacts | None:
        """Size, duration and hash of the file; None when there is no such file."""
        ...

    async def size(self, name: str) -> int | None:
        """The file's size in bytes (cheap: no reading); None when there is no such file."""
        ...

    def read(self, name: str, start: int, length: int) -> AsyncIterator[bytes]:
        """`length` bytes from `start`, in chunks (the file must exist)."""
        ...

    async def delete(self, name: str) -> bool:
        """Remove the file; False when it was not there."""
        ...

    async def aclose(self) -> None:
        """Release connections (at shutdown)."""
        ...


class RecordingIndex(Protocol):
    """The call_recordings table."""

    async def add(self, recording: StoredRecording) -> None:
        """Index one file of a call (a second add of the same file is ignored)."""
        ...

    async def add_many(self, recordings: Sequence[StoredRecording]) -> int:
        """Index these files in one transaction; those indexed already are skipped. Returns
        how many were new."""
        ...

    async def for_call(self, pbx: str, linkedid: str) -> list[StoredRecording]:
        """The recordings of one call, oldest first."""
        ...

    async def stored_before(self, group_slug: str, before: datetime) -> list[StoredRecording]:
        """Recordings of a group's calls stored before `before` (retention)."""
        ...

    async def remove(self, recording: StoredRecording) -> None:
        """Forget one recording (its file was deleted)."""
        ...
