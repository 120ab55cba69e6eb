"""An in-memory LiveCallJournal that can be told to fail its next writes (a database away)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from callcenter.ports.live_calls import CallKey, Snapshot


class FakeLiveCallJournal:
    """Rows by (pbx, linkedid); `failing` writes raise ConnectionError."""

    def __init__(self) -> None:
        self.rows: dict[CallKey, Snapshot] = {}
        self.failing = False
        self.saves = 0

    async def save(self, batch: Mapping[CallKey, Snapshot]) -> None:
        if self.failing:
            raise ConnectionError("database away")
        self.saves += 1
        self.rows.update({key: dict(value) for key, value in batch.items()})

    async def load(self, pbx: str) -> dict[str, Snapshot]:
        return {linkedid: dict(v) for (p, linkedid), v in self.rows.items() if p == pbx}

    async def forget(self, keys: Iterable[CallKey]) -> None:
        if self.failing:
            raise ConnectionError("database away")
        for key in keys:
            self.rows.pop(key, None)
