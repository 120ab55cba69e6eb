"""The journal of calls in progress: what a restarted process needs to store every call it knew."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

CallKey = tuple[str, str]  # (pbx, linkedid)
Snapshot = dict[str, Any]  # a live call as plain JSON values (domain.calls.journal)


class LiveCallJournal(Protocol):
    """Durable snapshots of live calls, keyed by (pbx, linkedid)."""

    async def save(self, batch: Mapping[CallKey, Snapshot]) -> None:
        """Write (insert or replace) these snapshots in one transaction."""
        ...

    async def load(self, pbx: str) -> dict[str, Snapshot]:
        """Every journalled call of one PBX, by linkedid."""
        ...

    async def forget(self, keys: Iterable[CallKey]) -> None:
        """Drop these calls (their records are stored, or they never were customer calls)."""
        ...


class QueueLogSource(Protocol):
    """The recent part of one Asterisk's queue_log (app_queue's own account of every call)."""

    async def recent(self, seconds: float) -> list[str]:
        """The lines of the last `seconds` of the log (by its own clock), oldest first."""
        ...
