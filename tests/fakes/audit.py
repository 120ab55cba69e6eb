"""An in-memory AuditLog."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from callcenter.ports.audit import AuditEntry


@dataclass
class FakeAuditLog:
    """Entries in a list, ids from 1."""

    entries: list[AuditEntry] = field(default_factory=list)

    async def add(self, entry: AuditEntry) -> int:
        self.entries.append(replace(entry, id=len(self.entries) + 1))
        return len(self.entries)

    async def close(self, entry_id: int, *, ended_at: datetime) -> None:
        entry = self.entries[entry_id - 1]
        if entry.ended_at is None:
            self.entries[entry_id - 1] = replace(entry, ended_at=ended_at)

    async def recent(self, *, kind: str | None = None, limit: int = 100) -> list[AuditEntry]:
        found = [e for e in reversed(self.entries) if kind is None or e.kind == kind]
        return found[:limit]
