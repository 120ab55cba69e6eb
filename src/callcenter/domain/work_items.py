"""Deferred work, e.g. a callback the letters group owes a caller."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class WorkItem:
    """A piece of deferred work, e.g. a callback for the letters group."""

    id: int
    kind: str
    customer_id: int | None
    caller: str | None
    group_slug: str
    status: str
    due_at: datetime | None
    note: str | None
    created_at: datetime
