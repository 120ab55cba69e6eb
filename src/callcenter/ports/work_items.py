"""Ports of work items: their store (inside the unit of work) and the store of their files."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from callcenter.domain.customers.records import NumberOwner
from callcenter.domain.work_figures import WorkTally
from callcenter.domain.work_items import NewWorkItem, WorkEvent, WorkItem
from callcenter.domain.work_report import WorkRecord


@dataclass(frozen=True)
class StatusChange:
    """A compare-and-set status change: applied only while the item is still in `expected`."""

    item_id: int
    expected: str
    status: str
    actor: str
    at: datetime
    owner_agent_id: int | None = None
    set_owner: bool = False  # write owner_agent_id (None clears it)
    group_slug: str | None = None  # a move to another group (logged from `from_group`)
    from_group: str | None = None
    due_at: datetime | None = None
    set_due: bool = False  # write due_at (None clears it): the new group's rule
    outcome: str | None = None
    disposition_code: str | None = None
    note: str | None = None


class WorkItems(Protocol):
    """Work items, their logged changes and attachments; `add` logs the `created` event."""

    async def add(self, *, item: NewWorkItem, actor: str, now: datetime) -> int: ...
    async def add_many(
        self, *, items: Sequence[tuple[NewWorkItem, str]], now: datetime
    ) -> list[int]: ...
    async def get(self, *, item_id: int) -> WorkItem | None: ...
    async def find(
        self,
        *,
        group_slug: str | None = None,
        status: str | None = None,
        kind: str | None = None,
        limit: int = 500,
    ) -> list[WorkItem]: ...
    async def list_open(
        self, *, group_slug: str | None = None, limit: int = 100
    ) -> list[WorkItem]: ...
    async def open_callback(self, *, caller: str, group_slug: str) -> WorkItem | None: ...
    async def by_call_ref(self, *, call_ref: str) -> WorkItem | None: ...
    async def owed_waiting(
        self, *, callers: Collection[str], customer_ids: Collection[int], before: datetime
    ) -> list[WorkItem]: ...
    async def change_status(self, change: StatusChange) -> bool: ...
    async def add_event(self, *, item_id: int, event: WorkEvent) -> None: ...
    async def events(self, *, item_id: int) -> list[WorkEvent]: ...
    async def sender_owners(
        self, *, email: str | None = None, member_no: str | None = None
    ) -> list[NumberOwner]: ...
    async def owners_by_email(self, *, emails: Sequence[str]) -> dict[str, list[NumberOwner]]: ...
    async def tallies(self, *, closed_since: datetime, now: datetime) -> list[WorkTally]: ...


class WorkReports(Protocol):
    """The work reports' read of the stored items."""

    async def work_records(self, *, start: datetime, end: datetime) -> list[WorkRecord]:
        """Items that came in before `end` and were open, or changed, at or after `start`."""
        ...


@dataclass(frozen=True)
class StoredFile:
    """A file as the store keeps it: by content (same bytes, same file)."""

    sha256: str
    size: int
    stored_as: str


class FileStore(Protocol):
    """Where attachments' bytes go before their item is written."""

    async def put(self, data: bytes) -> StoredFile: ...
    async def read(self, stored_as: str) -> bytes: ...
