"""The work-item repository (the WorkItems port): items, their event log, their attachments."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from callcenter.adapters.db.customer_rows import summary_from_row
from callcenter.adapters.db.integrity import unique
from callcenter.adapters.db.tables_customers import CustomerRow
from callcenter.adapters.db.tables_work import (
    WorkItemAttachmentRow,
    WorkItemEventRow,
    WorkItemRow,
)
from callcenter.adapters.db.work_item_rows import attachment_rows, item_from_row, item_row
from callcenter.domain.customers.records import NumberOwner
from callcenter.domain.work_figures import WorkTally
from callcenter.domain.work_items import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    Attachment,
    NewWorkItem,
    WorkEvent,
    WorkItem,
)
from callcenter.ports.work_items import StatusChange


class WorkItemRepository:
    """Work items; flushes, never commits (the unit of work does)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, *, item: NewWorkItem, actor: str, now: datetime) -> int:
        """Store an item with its attachments and its `created` event; returns its id."""
        (item_id,) = await self.add_many(items=[(item, actor)], now=now)
        return item_id

    async def add_many(
        self, *, items: Sequence[tuple[NewWorkItem, str]], now: datetime
    ) -> list[int]:
        """Store several items (two flushes in all: the rows, then their files and events)."""
        rows = [item_row(item, now) for item, _ in items]
        self._session.add_all(rows)
        with unique("a work item of this call"):  # call_ref: one callback per call
            await self._session.flush()
        for row, (item, actor) in zip(rows, items, strict=True):
            self._session.add_all(attachment_rows(row.id, item.attachments))
            self._session.add(
                WorkItemEventRow(
                    work_item_id=row.id,
                    kind="created",
                    actor=actor[:80],
                    to_status=item.status,
                    note=item.note,
                    at=now,
                )
            )
        await self._session.flush()
        return [row.id for row in rows]

    async def get(self, *, item_id: int) -> WorkItem | None:
        """One item with its attachments, or None."""
        row = await self._session.get(WorkItemRow, item_id)
        if row is None:
            return None
        return (await self._with_files([row]))[0]

    async def find(
        self,
        *,
        group_slug: str | None = None,
        status: str | None = None,
        kind: str | None = None,
        limit: int = 500,
    ) -> list[WorkItem]:
        """Items matching every filter given, soonest due first (undated last)."""
        stmt = select(WorkItemRow)
        if group_slug is not None:
            stmt = stmt.where(WorkItemRow.group_slug == group_slug)
        if status is not None:
            stmt = stmt.where(WorkItemRow.status == status)
        if kind is not None:
            stmt = stmt.where(WorkItemRow.kind == kind)
        stmt = stmt.order_by(
            WorkItemRow.due_at.is_(None), WorkItemRow.due_at, WorkItemRow.id
        ).limit(limit)
        return await self._with_files(list(await self._session.scalars(stmt)))

    async def list_open(self, *, group_slug: str | None = None, limit: int = 100) -> list[WorkItem]:
        """Items not yet done, cancelled or failed, soonest due first."""
        stmt = select(WorkItemRow).where(WorkItemRow.status.in_(OPEN_STATUSES))
        if group_slug is not None:
            stmt = stmt.where(WorkItemRow.group_slug == group_slug)
        stmt = stmt.order_by(
            WorkItemRow.due_at.is_(None), WorkItemRow.due_at, WorkItemRow.id
        ).limit(limit)
        return await self._with_files(list(await self._session.scalars(stmt)))

    async def open_callback(self, *, caller: str, group_slug: str) -> WorkItem | None:
        """The open callback item this caller already has in this group, if any."""
        row = await self._session.scalar(
            select(WorkItemRow)
            .where(
                WorkItemRow.kind == "callback",
                WorkItemRow.caller == caller,
                WorkItemRow.group_slug == group_slug,
                WorkItemRow.status.in_(OPEN_STATUSES),
            )
            .order_by(WorkItemRow.id)
            .limit(1)
        )
        return None if row is None else (await self._with_files([row]))[0]

    async def by_call_ref(self, *, call_ref: str) -> WorkItem | None:
        """The item a call already owes (withdrawn or abandoned caller), if filed."""
        row = await self._session.scalar(
            select(WorkItemRow).where(WorkItemRow.call_ref == call_ref)
        )
        return None if row is None else (await self._with_files([row]))[0]

    async def owed_waiting(
        self, *, callers: Collection[str], customer_ids: Collection[int], before: datetime
    ) -> list[WorkItem]:
        """Callbacks calls owe any of these callers or customers (call_ref set), still waiting
        (new), filed before `before`."""
        who = [WorkItemRow.caller.in_(list(callers))] if callers else []
        if customer_ids:
            who.append(WorkItemRow.customer_id.in_(list(customer_ids)))
        if not who:
            return []
        stmt = select(WorkItemRow).where(
            WorkItemRow.call_ref.is_not(None),
            WorkItemRow.status == "new",
            WorkItemRow.created_at < before,
            or_(*who),
        )
        return await self._with_files(list(await self._session.scalars(stmt)))

    async def change_status(self, change: StatusChange) -> bool:
        """Apply the change if the item is still in `expected`; log it. False: someone was first."""
        values: dict[str, Any] = {"status": change.status, "updated_at": change.at}
        if change.set_owner:
            values["owner_agent_id"] = change.owner_agent_id
        if change.group_slug is not None:
            values["group_slug"] = change.group_slug
        if change.set_due:
            values["due_at"] = change.due_at
        if change.outcome is not None:
            values["outcome"] = change.outcome
        if change.disposition_code is not None:
            values["disposition_code"] = change.disposition_code
        result = await self._session.execute(
            update(WorkItemRow)
            .where(WorkItemRow.id == change.item_id, WorkItemRow.status == change.expected)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) != 1:
            return False
        await self.add_event(
            item_id=change.item_id,
            event=WorkEvent(
                kind="status",
                actor=change.actor,
                at=change.at,
                from_status=change.expected,
                to_status=change.status,
                note=change.note,
                from_group=change.from_group if change.group_slug is not None else None,
                to_group=change.group_slug,
            ),
        )
        return True

    async def add_event(self, *, item_id: int, event: WorkEvent) -> None:
        """Log one change of an item."""
        self._session.add(
            WorkItemEventRow(
                work_item_id=item_id,
                kind=event.kind,
                actor=event.actor[:80],
                from_status=event.from_status,
                to_status=event.to_status,
                note=event.note,
                at=event.at,
                from_group=event.from_group,
                to_group=event.to_group,
            )
        )
        await self._session.flush()

    async def events(self, *, item_id: int) -> list[WorkEvent]:
        """The item's logged changes, oldest first."""
        rows = await self._session.scalars(
            select(WorkItemEventRow)
            .where(WorkItemEventRow.work_item_id == item_id)
            .order_by(WorkItemEventRow.id)
        )
        return [
            WorkEvent(
                kind=r.kind,
                actor=r.actor,
                at=r.at,
                from_status=r.from_status,
                to_status=r.to_status,
                note=r.note,
                from_group=r.from_group,
                to_group=r.to_group,
            )
            for r in rows
        ]

    async def sender_owners(
        self, *, email: str | None = None, member_no: str | None = None
    ) -> list[NumberOwner]:
        """Customers with this e-mail (any case) or this member number."""
        found: list[NumberOwner] = []
        if email:
            rows = await self._session.scalars(
                select(CustomerRow)
                .where(func.lower(CustomerRow.email) == email.lower())
                .order_by(CustomerRow.id)
                .limit(20)
            )
            found += [NumberOwner(summary_from_row(r), True, None) for r in rows]
        if member_no:
            rows = await self._session.scalars(
                select(CustomerRow).where(CustomerRow.member_number == member_no)
            )
            found += [NumberOwner(summary_from_row(r), True, None) for r in rows]
        return found

    async def owners_by_email(self, *, emails: Sequence[str]) -> dict[str, list[NumberOwner]]:
        """The customers of each address (lower-cased keys), in one query for a batch."""
        wanted = sorted({e.lower() for e in emails if e})
        found: dict[str, list[NumberOwner]] = {e: [] for e in wanted}
        if wanted:
            rows = await self._session.scalars(
                select(CustomerRow)
                .where(func.lower(CustomerRow.email).in_(wanted))
                .order_by(CustomerRow.id)
            )
            for r in rows:
                owners = found[(r.email or "").lower()]
                if len(owners) < 20:
                    owners.append(NumberOwner(summary_from_row(r), True, None))
        return found

    async def tallies(self, *, closed_since: datetime, now: datetime) -> list[WorkTally]:
        """The wallboard's tallies, summed up in the database: open items by group, kind,
        status and overdue-ness (oldest first seen), items closed since `closed_since` by group,
        kind, status and in-time-ness (one row per bunch, however long the backlog)."""
        r = WorkItemRow
        overdue = case((r.due_at.is_not(None) & (r.due_at <= now), 1), else_=0)
        opened = await self._session.execute(
            select(r.group_slug, r.kind, r.status, func.min(r.created_at), func.min(r.due_at))
            .add_columns(func.count())
            .where(r.status.in_(OPEN_STATUSES))
            .group_by(r.group_slug, r.kind, r.status, overdue)
        )
        kept = case((r.due_at.is_(None) | (r.updated_at <= r.due_at), 1), else_=0)
        closed = await self._session.execute(
            select(r.group_slug, r.kind, r.status, func.max(r.updated_at), func.min(r.due_at))
            .add_columns(func.count(), kept)
            .where(r.status.in_(tuple(FINAL_STATUSES)) & (r.updated_at >= closed_since))
            .group_by(r.group_slug, r.kind, r.status, kept)
        )
        tallies = [WorkTally(g, k, s, c, d, None, n) for g, k, s, c, d, n in opened]
        for g, k, s, last, due, n, in_time in closed:
            # a bunch in time needs no due time; a late one is late against its earliest
            tallies.append(WorkTally(g, k, s, last, None if in_time else due, last, n))
        return tallies

    async def _with_files(self, rows: list[WorkItemRow]) -> list[WorkItem]:
        files: dict[int, list[Attachment]] = defaultdict(list)
        if rows:
            found = await self._session.scalars(
                select(WorkItemAttachmentRow)
                .where(WorkItemAttachmentRow.work_item_id.in_([r.id for r in rows]))
                .order_by(WorkItemAttachmentRow.id)
            )
            for a in found:
                files[a.work_item_id].append(
                    Attachment(a.filename, a.content_type, a.size, a.sha256, a.stored_as)
                )
        return [item_from_row(r, tuple(files.get(r.id, ()))) for r in rows]
