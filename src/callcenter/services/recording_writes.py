"""Recordings of calls that end together are indexed in one transaction.

At 100 calls/s a transaction per recorded call was about 8 % of the backend's busy time (each a
BEGIN, an INSERT and a COMMIT round trip). The writer takes what has queued while the last batch
was being written, up to `max_batch`, and writes it at once; a file indexed already is skipped by
the index (a replayed call). A batch that fails is logged with its calls and not retried: a call
whose recordings are not indexed is still played (from the call record's file names), only its
size, hash and pauses are missing, and the failures are counted (`failed`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from callcenter.ports.recordings import RecordingIndex, StoredRecording

log = logging.getLogger(__name__)


class IndexWriter:
    """Queues recordings to index; one writer task at a time drains the queue in batches."""

    def __init__(self, index: RecordingIndex, max_batch: int = 200) -> None:
        self._index = index
        self.max_batch = max_batch
        self._queue: list[StoredRecording] = []
        self._writing: asyncio.Task[None] | None = None
        self.written = 0  # rows new to the index
        self.failed = 0  # recordings in batches that could not be written
        self.batches = 0

    def put(self, recordings: Iterable[StoredRecording]) -> None:
        """Index these soon (in the batch under way's successor)."""
        self._queue.extend(recordings)
        if self._queue and (self._writing is None or self._writing.done()):
            self._writing = asyncio.get_running_loop().create_task(
                self._drain(), name="recording-index"
            )

    async def flushed(self) -> None:
        """Return once everything queued so far is written (or has failed)."""
        while self._writing is not None and not self._writing.done():
            await asyncio.shield(self._writing)

    async def _drain(self) -> None:
        while self._queue:
            batch = self._queue[: self.max_batch]
            del self._queue[: self.max_batch]
            self.batches += 1
            try:
                self.written += await self._index.add_many(batch)
            except Exception:
                self.failed += len(batch)
                calls = sorted({r.linkedid for r in batch})
                log.exception(
                    "%d recordings of %d calls not indexed (first calls: %s)",
                    len(batch),
                    len(calls),
                    ", ".join(calls[:5]),
                )
