"""The audit log: monitoring sessions and recording accesses, kept for whoever asks who listened."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class AuditEntry:
    """One audited action: `kind` monitor (detail = mode) or recording (detail = what was read)."""

    kind: str
    actor: str  # "supervisor (token 7)", "agent 1001", "admin"
    agent_code: str | None
    pbx: str | None
    linkedid: str | None
    detail: str
    started_at: datetime
    ended_at: datetime | None = None
    id: int | None = None


class AuditLog(Protocol):
    """Append-only, except that a monitoring session gets its end."""

    async def add(self, entry: AuditEntry) -> int:
        """Store the entry; its id."""
        ...

    async def close(self, entry_id: int, *, ended_at: datetime) -> None:
        """Set the end of an open entry (a second end is ignored)."""
        ...

    async def recent(self, *, kind: str | None = None, limit: int = 100) -> list[AuditEntry]:
        """Newest first."""
        ...
