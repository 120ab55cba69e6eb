"""Work items' offers over SQL (the WorkOfferStore port); each method is one short transaction.

The item itself (status, owner, priority, outcome) is intake's work_items row, and every status
change goes through its repository's compare-and-set `change_status`, so it is logged like any
other; work_offers keeps only the reservation: who it is offered to, until when, who declined
it, and a callback's attempts and next try.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from callcenter.adapters.db.repo_work_items import WorkItemRepository
from callcenter.adapters.db.tables import AgentRow
from callcenter.adapters.db.tables_calls import CallRecordRow
from callcenter.adapters.db.tables_customers import CustomerRow, PhoneRow
from callcenter.adapters.db.tables_work import WorkItemRow
from callcenter.adapters.db.tables_work_offers import WorkOfferRow
from callcenter.domain.work_assignment import HELD, OFFERABLE
from callcenter.ports.work_items import StatusChange
from callcenter.ports.work_offers import WorkEntry

OPEN = tuple(sorted(OFFERABLE | HELD))
OWNED = ("accepted", "in_progress")


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
            return await _one(session, item_id)

    async def entries(self, ids: Collection[int]) -> list[WorkEntry]:
        wanted, found = sorted(ids), []
        async with self._sessions() as session:
            for at in range(0, len(wanted), 500):  # bound the IN list
                stmt = _joined().where(WorkItemRow.id.in_(wanted[at : at + 500]))
                found += [_entry(r) for r in await session.execute(stmt)]
        return found

    async def changed_since(self, since: datetime, *, limit: int = 100_000) -> list[int]:
        stmt = (
            select(WorkItemRow.id)
            .where(WorkItemRow.updated_at > since)
            .order_by(WorkItemRow.updated_at)
            .limit(limit)
        )
        async with self._sessions() as session:
            return list(await session.scalars(stmt))

    async def for_agent(self, agent: str) -> list[WorkEntry]:
        stmt = (
            _joined()
            .where(
                or_(
                    and_(WorkItemRow.status == "offered", WorkOfferRow.agent == agent),
                    and_(WorkItemRow.status.in_(OWNED), AgentRow.code == agent),
                )
            )
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
            items = WorkItemRepository(session)
            for item_id, agent in offers:
                change = StatusChange(
                    item_id, "new", "offered", "work offers", now, note=f"offered to {agent}"
                )
                if not await items.change_status(change):
                    continue  # taken, closed or gone meanwhile: never a second holder
                row = await session.get(WorkOfferRow, item_id)
                if row is None:
                    row = WorkOfferRow(item_id=item_id, declined=[], attempts=0)
                    session.add(row)
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
            entry = await _one(session, item_id, lock=True)
            if entry is None or entry.agent != agent or entry.status not in HELD:
                return False
            now = datetime.now(UTC)
            change = StatusChange(
                item_id,
                entry.status,
                "new",
                f"agent {agent}" if declined else "work offers",
                now,
                set_owner=True,  # nobody owns it any more
                outcome=outcome,
                note="declined" if declined else outcome,
            )
            if not await WorkItemRepository(session).change_status(change):
                return False
            row = await _offer_row(session, item_id)
            row.agent, row.expires_at, row.not_before = None, None, not_before
            if declined and agent not in row.declined:
                row.declined = [*row.declined, agent]
            row.attempts = attempts if attempts is not None else row.attempts
            row.updated_at = now
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
            entry = await _one(session, item_id, lock=True)
            if entry is None or entry.agent != agent or entry.status not in from_statuses:
                return False
            now = datetime.now(UTC)
            if status == entry.status:  # an attempt's outcome noted, the status unchanged
                row = await session.get(WorkItemRow, item_id)
                assert row is not None
                row.outcome = outcome if outcome is not None else row.outcome
                row.updated_at = now
            else:
                owner = (  # only an accept sets the owner: no look-up for the other moves
                    await session.scalar(select(AgentRow.id).where(AgentRow.code == agent))
                    if status == "accepted"
                    else None
                )
                change = StatusChange(
                    item_id,
                    entry.status,
                    status,
                    f"agent {agent}",
                    now,
                    owner_agent_id=owner,
                    set_owner=status == "accepted",
                    outcome=outcome,
                    disposition_code=disposition,
                )
                if not await WorkItemRepository(session).change_status(change):
                    return False
            offer = await _offer_row(session, item_id)
            offer.expires_at = None
            offer.attempts = attempts if attempts is not None else offer.attempts
            offer.updated_at = now
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

    async def answered_since(
        self, *, customer_id: int | None, e164: str | None, since: datetime
    ) -> str | None:
        who = [CallRecordRow.caller == e164] if e164 else []
        if customer_id is not None:
            who.append(CallRecordRow.customer_id == customer_id)
        if not who:
            return None
        stmt = select(CallRecordRow.pbx, CallRecordRow.linkedid).where(
            CallRecordRow.direction == "inbound",
            CallRecordRow.outcome == "answered",
            CallRecordRow.started_at > since,
            or_(*who),
        )
        async with self._sessions() as session:
            found = (await session.execute(stmt.limit(1))).first()
        return None if found is None else f"{found.pbx}:{found.linkedid}"


def _joined() -> Any:
    return (
        select(WorkItemRow, WorkOfferRow, AgentRow.code)
        .outerjoin(WorkOfferRow, WorkOfferRow.item_id == WorkItemRow.id)
        .outerjoin(AgentRow, AgentRow.id == WorkItemRow.owner_agent_id)
    )


async def _one(session: AsyncSession, item_id: int, *, lock: bool = False) -> WorkEntry | None:
    stmt = _joined().where(WorkItemRow.id == item_id)
    if lock:  # the item's row only: the nullable side of an outer join cannot be locked
        stmt = stmt.with_for_update(of=WorkItemRow)
    row = (await session.execute(stmt)).first()
    return None if row is None else _entry(row)


async def _offer_row(session: AsyncSession, item_id: int) -> WorkOfferRow:
    """The item's reservation row (made when an item assigned elsewhere first meets offers)."""
    row = await session.get(WorkOfferRow, item_id)
    if row is None:
        row = WorkOfferRow(item_id=item_id, declined=[], attempts=0, updated_at=datetime.now(UTC))
        session.add(row)
    return row


def _entry(row: Any) -> WorkEntry:
    item: WorkItemRow = row[0]
    offer: WorkOfferRow | None = row[1]
    owner: str | None = row[2]
    # who holds it: the agent it is offered to, else its owner (also one a supervisor assigned)
    holder = offer.agent if offer is not None and item.status == "offered" else owner
    return WorkEntry(
        id=item.id,
        kind=item.kind,
        group=item.group_slug,
        status=item.status,
        priority=item.priority,
        customer_id=item.customer_id,
        caller=item.caller,
        note=item.subject or item.note,
        due_at=item.due_at,
        created_at=item.created_at,
        agent=holder,
        expires_at=offer.expires_at if offer and item.status == "offered" else None,
        declined=tuple(offer.declined) if offer else (),
        attempts=offer.attempts if offer else 0,
        not_before=offer.not_before if offer else None,
        outcome=item.outcome,
        disposition=item.disposition_code,
        preferred_agent=item.preferred_agent,
        call_ref=item.call_ref,
    )
