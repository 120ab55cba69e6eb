"""Work items' offers over SQL (the WorkOfferStore port); each method is one short transaction.

The item's status lives on work_items (shared with intake); who holds it lives on work_offers.
Every status change is a conditional UPDATE whose row count says whether it happened.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from callcenter.adapters.db.tables_calls import WorkItemRow
from callcenter.adapters.db.tables_customers import CustomerRow, PhoneRow
from callcenter.adapters.db.tables_work_offers import WorkOfferRow
from callcenter.domain.work_assignment import HELD, OFFERABLE
from callcenter.ports.work_offers import WorkEntry

OPEN = tuple(sorted(OFFERABLE | HELD))


class SqlWorkOffers:
    """The WorkOfferStore port on the work_items and work_offers tables."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def open_entries(self, *, after_id: int = 0, limit: int = 50_000) -> list[WorkEntry]:
        stmt = (
            _joined()
            .where(WorkItemRow.status.in_(OPEN), WorkItemRow.id > after_id)
            .order_by(WorkItemRow.id)
            .limit(limit)
        )
        async with self._sessions() as session:
            return [_entry(r) for r in await session.execute(stmt)]

    async def get(self, item_id: int) -> WorkEntry | None:
        async with self._sessions() as session:
            row = (await session.execute(_joined().where(WorkItemRow.id == item_id))).first()
        return None if row is None else _entry(row)

    async def for_agent(self, agent: str) -> list[WorkEntry]:
        stmt = (
            _joined()
            .where(WorkOfferRow.agent == agent, WorkItemRow.status.in_(tuple(sorted(HELD))))
            .order_by(WorkItemRow.id)
        )
        async with self._sessions() as session:
            return [_entry(r) for r in await session.execute(stmt)]

    async def offer(
        self, offers: list[tuple[int, str]], *, expires_at: datetime
    ) -> list[tuple[int, str]]:
        made: list[tuple[int, str]] = []
        now = datetime.now(UTC)
        async with self._sessions() as session:
            for item_id, agent in offers:
                claimed = await session.execute(
                    update(WorkItemRow)
                    .where(WorkItemRow.id == item_id, WorkItemRow.status.in_(tuple(OFFERABLE)))
                    .values(status="offered")
                )
                if _count(claimed) != 1:
                    continue  # taken, closed or gone meanwhile: never a second holder
                row = await session.get(WorkOfferRow, item_id)
                if row is None:
                    session.add(
                        WorkOfferRow(
                            item_id=item_id,
                            agent=agent,
                            expires_at=expires_at,
                            declined=[],
                            attempts=0,
                            updated_at=now,
                        )
                    )
                else:
                    row.agent, row.expires_at, row.updated_at = agent, expires_at, now
                made.append((item_id, agent))
            await session.commit()
        return made

    async def release(
        self,
        *,
        item_id: int,
        agent: str,
        declined: bool,
        not_before: datetime | None = None,
        outcome: str | None = None,
        attempts: int | None = None,
    ) -> bool:
        async with self._sessions() as session:
            row = await _held_row(session, item_id, agent)
            if row is None:
                return False
            freed = await session.execute(
                update(WorkItemRow)
                .where(WorkItemRow.id == item_id, WorkItemRow.status.in_(tuple(sorted(HELD))))
                .values(status="new")
            )
            if _count(freed) != 1:
                return False
            row.agent, row.expires_at, row.not_before = None, None, not_before
            if declined and agent not in row.declined:
                row.declined = [*row.declined, agent]
            row.outcome = outcome if outcome is not None else row.outcome
            row.attempts = attempts if attempts is not None else row.attempts
            row.updated_at = datetime.now(UTC)
            await session.commit()
            return True

    async def move(
        self,
        *,
        item_id: int,
        agent: str,
        from_statuses: tuple[str, ...],
        status: str,
        outcome: str | None = None,
        disposition: str | None = None,
        attempts: int | None = None,
    ) -> bool:
        async with self._sessions() as session:
            row = await _held_row(session, item_id, agent)
            if row is None:
                return False
            moved = await session.execute(
                update(WorkItemRow)
                .where(WorkItemRow.id == item_id, WorkItemRow.status.in_(from_statuses))
                .values(status=status)
            )
            if _count(moved) != 1:
                return False
            row.expires_at = None
            row.outcome = outcome if outcome is not None else row.outcome
            row.disposition = disposition if disposition is not None else row.disposition
            row.attempts = attempts if attempts is not None else row.attempts
            row.updated_at = datetime.now(UTC)
            await session.commit()
            return True

    async def do_not_call(self, *, customer_id: int | None, e164: str | None) -> bool:
        async with self._sessions() as session:
            if customer_id is not None:
                flag = await session.scalar(
                    select(CustomerRow.do_not_call).where(CustomerRow.id == customer_id)
                )
                if flag:
                    return True
            if e164 is None:
                return False
            owners = await session.scalars(
                select(CustomerRow.do_not_call)
                .join(PhoneRow, PhoneRow.customer_id == CustomerRow.id)
                .where(PhoneRow.e164 == e164)
            )
            return any(owners)

    async def dial_number(self, customer_id: int) -> str | None:
        async with self._sessions() as session:
            phones = (
                await session.execute(
                    select(PhoneRow.e164, PhoneRow.is_primary).where(
                        PhoneRow.customer_id == customer_id, PhoneRow.e164.is_not(None)
                    )
                )
            ).all()
        usable = sorted(phones, key=lambda p: not p.is_primary)
        return str(usable[0].e164) if usable else None


def _joined() -> Any:
    return select(WorkItemRow, WorkOfferRow).outerjoin(
        WorkOfferRow, WorkOfferRow.item_id == WorkItemRow.id
    )


async def _held_row(session: AsyncSession, item_id: int, agent: str) -> WorkOfferRow | None:
    row = await session.scalar(
        select(WorkOfferRow)
        .where(WorkOfferRow.item_id == item_id, WorkOfferRow.agent == agent)
        .with_for_update()
    )
    return row


def _count(result: Any) -> int:
    return int(result.rowcount or 0)


def _entry(row: Any) -> WorkEntry:
    item: WorkItemRow = row[0]
    offer: WorkOfferRow | None = row[1]
    return WorkEntry(
        id=item.id,
        kind=item.kind,
        group=item.group_slug,
        status=item.status,
        priority=int(getattr(item, "priority", 0) or 0),  # intake's column, once it has one
        customer_id=item.customer_id,
        caller=item.caller,
        note=item.note,
        due_at=item.due_at,
        created_at=item.created_at,
        agent=offer.agent if offer else None,
        expires_at=offer.expires_at if offer else None,
        declined=tuple(offer.declined) if offer else (),
        attempts=offer.attempts if offer else 0,
        not_before=offer.not_before if offer else None,
        outcome=offer.outcome if offer else None,
        disposition=offer.disposition if offer else None,
    )
