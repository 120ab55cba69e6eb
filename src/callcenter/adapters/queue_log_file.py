"""Asterisk's queue_log file as a QueueLogSource: its tail, read off the event loop.

The backend reads the file where this process can see it (on the PBX host, or a read-only copy
or mount of /var/log/asterisk/queue_log). Only the end is read (at most `max_bytes`), and of that
only the lines within `seconds` of the newest one: the log's own clock, not this host's.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

MAX_BYTES = 64 * 1024 * 1024


class QueueLogFile:
    """The queue_log at `path`; a missing or unreadable file reads as no lines (OSError raised)."""

    def __init__(self, path: Path, max_bytes: int = MAX_BYTES) -> None:
        self.path = path
        self.max_bytes = max_bytes

    async def recent(self, seconds: float) -> list[str]:
        """The lines of the last `seconds` of the log, oldest first."""
        return await asyncio.to_thread(read_recent, self.path, seconds, self.max_bytes)


def read_recent(path: Path, seconds: float, max_bytes: int = MAX_BYTES) -> list[str]:
    """The tail of a queue_log: lines no older than `seconds` before its newest line."""
    with path.open("rb") as handle:
        size = handle.seek(0, 2)
        start = max(0, size - max_bytes)
        handle.seek(start)
        data = handle.read()
    lines = data.decode("utf-8", errors="replace").splitlines()
    if start > 0 and lines:
        lines = lines[1:]  # began mid-line
    times = [_time(line) for line in lines]
    newest = max((t for t in times if t is not None), default=None)
    if newest is None:
        return []
    cutoff = newest - seconds
    return [line for line, t in zip(lines, times, strict=True) if t is not None and t >= cutoff]


def _time(line: str) -> float | None:
    head = line.split("|", 1)[0]
    try:
        return float(head)
    except ValueError:
        return None
