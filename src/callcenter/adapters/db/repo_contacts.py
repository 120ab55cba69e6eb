"""Contact and call-record repositories (they flush, never commit)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from callcenter.adapters.db.call_rows import call_record_from_row
from callcenter.adapters.db.reports import call_records_between
from callcenter.adapters.db.row_mapping import record_from_row
from callcenter.adapters.db.tables import AgentRow
from callcenter.adapters.db.tables_calls import CallRecordRow
from callcenter.adapters.db.tables_customers import ContactRow
from callcenter.adapters.db.tables_work import WorkItemEventRow, WorkItemRow
from callcenter.domain.calls.records import CallLeg, CallRecord
from callcenter.domain.contacts import Contact


def contacts_query(customer_id: int, limit: int) -> Select[ContactRow, str]:
    """The newest contacts of a customer with the serving agent's code joined in."""
    return (
        select(ContactRow, AgentRow.code)
        .outerjoin(AgentRow, AgentRow.id == ContactRow.agent_id)
        .where(ContactRow.customer_id == customer_id)
        .order_by(ContactRow.started_at.desc(), ContactRow.id.desc())
        .limit(limit)
    )


def contact_from_row(row: ContactRow, agent_code: str | None) -> Contact:
    """A Contact record from its ORM row and the agent's code."""
    return record_from_row(Contact, row, agent_code=agent_code)


class ContactRepository:
    """Every interaction with a customer."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        *,
        channel: str,
        direction: str,
        started_at: datetime,
        customer_id: int | None = None,
        group_slug: str | None = None,
        agent_id: int | None = None,
        outcome: str | None = None,
        disposition_code: str | None = None,
        settled_first_contact: bool = False,
        note: str | None = None,
        call_linkedid: str | None = None,
        pbx: str | None = None,
        ended_at: datetime | None = None,
    ) -> int:
        """Store one contact; returns its id."""
        row = ContactRow(
            customer_id=customer_id,
            channel=channel,
            direction=direction,
            group_slug=group_slug,
            agent_id=agent_id,
            outcome=outcome,
            disposition_code=disposition_code,
            settled_first_contact=settled_first_contact,
            note=note,
            call_linkedid=call_linkedid,
            pbx=pbx,
            started_at=started_at,
            ended_at=ended_at,
        )
        self._session.add(row)
        await self._session.flush()
        return row.id

    async def recent_for_customer(self, *, customer_id: int, limit: int = 10) -> list[Contact]:
        """The customer's newest contacts first."""
        result = await self._session.execute(contacts_query(customer_id, limit))
        return [contact_from_row(row, code) for row, code in result.all()]

    async def last_call_at(self, *, customer_id: int, since: datetime) -> datetime | None:
        """When the customer last called (or was called) at or after `since`, else None."""
        value = await self._session.scalar(
            select(func.max(ContactRow.started_at)).where(
                ContactRow.customer_id == customer_id,
                ContactRow.channel == "call",
                ContactRow.started_at >= since,
            )
        )
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _chunks(linkedids: Collection[str], size: int = 500) -> Iterator[list[str]]:
    """The linkedids in lists of at most `size` (one IN list per query)."""
    wanted = list(linkedids)
    for i in range(0, len(wanted), size):
        yield wanted[i : i + size]


def _legs_json(legs: Iterable[CallLeg]) -> list[dict[str, Any]]:
    """A call's legs as the `legs` column holds them (call_rows reads them back)."""
    return [{"agent": g.agent, "queue": g.queue, "talk_s": g.talk_s} for g in legs]


class CallRepository:
    """Finished calls; (pbx, linkedid) is unique so a replayed call is never stored twice."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def exists(self, pbx: str, linkedid: str) -> bool:
        """Whether this server's call is already stored."""
        found = await self._session.scalar(
            select(CallRecordRow.id).where(
                CallRecordRow.pbx == pbx, CallRecordRow.linkedid == linkedid
            )
        )
        return found is not None

    async def stored_of(self, pbx: str, linkedids: Collection[str]) -> set[str]:
        """Which of these linkedids of this server are stored (asked in chunks)."""
        found = set[str]()
        for chunk in _chunks(linkedids):
            rows = await self._session.scalars(
                select(CallRecordRow.linkedid).where(
                    CallRecordRow.pbx == pbx, CallRecordRow.linkedid.in_(chunk)
                )
            )
            found.update(rows)
        return found

    async def add(self, record: CallRecord) -> int:
        """Store a finished call; a duplicate (pbx, linkedid) raises IntegrityError."""
        row = CallRecordRow(
            pbx=record.pbx,
            linkedid=record.linkedid,
            direction=record.direction,
            caller=record.caller,
            caller_name=record.caller_name,
            customer_id=record.customer_id,
            queues=list(record.queues),
            agent=record.agent,
            agent_id=record.agent_id,
            outcome=record.outcome,
            wait_s=record.wait_s,
            talk_s=record.talk_s,
            ring_attempts=record.ring_attempts,
            transferred=record.transferred,
            routing=record.routing,
            started_at=record.started_at,
            answered_at=record.answered_at,
            ended_at=record.ended_at,
            wrapup_s=record.wrapup_s,
            disposition_code=record.disposition_code,
            settled_first_contact=record.settled_first_contact,
            legs=_legs_json(record.legs),
            monitored=record.monitored,
            recordings=list(record.recordings),
            amd=record.amd,
            caller_verified=record.caller_verified,
            ended_during_outage=record.ended_during_outage,
        )
        self._session.add(row)
        await self._session.flush()
        return row.id

    async def get(self, pbx: str, linkedid: str) -> CallRecord | None:
        """The stored call, or None."""
        row = await self._session.scalar(
            select(CallRecordRow).where(
                CallRecordRow.pbx == pbx, CallRecordRow.linkedid == linkedid
            )
        )
        return None if row is None else call_record_from_row(row)

    async def between(
        self, start: datetime, end: datetime, *, pbx: str | None = None
    ) -> list[CallRecord]:
        """Calls (of one server, or all) that started in [start, end), oldest first."""
        records = await call_records_between(self._session, start=start, end=end)
        return records if pbx is None else [r for r in records if r.pbx == pbx]

    async def without_callback(
        self, *, outcomes: Collection[str], ended_since: datetime
    ) -> list[CallRecord]:
        """Inbound calls with these outcomes, ended since then, that no work item names as the
        call owing it (call_ref "<pbx>:<linkedid>") nor notes as calling again, oldest first."""
        ref = CallRecordRow.pbx + ":" + CallRecordRow.linkedid
        filed = select(WorkItemRow.id).where(WorkItemRow.call_ref == ref)
        noted = select(WorkItemEventRow.id).where(
            WorkItemEventRow.actor == "queue",
            WorkItemEventRow.kind == "note",
            WorkItemEventRow.note.contains(ref),
        )
        rows = await self._session.scalars(
            select(CallRecordRow)
            .where(
                CallRecordRow.direction == "inbound",
                CallRecordRow.outcome.in_(list(outcomes)),
                CallRecordRow.ended_at >= ended_since,
                ~filed.exists(),
                ~noted.exists(),
            )
            .order_by(CallRecordRow.ended_at)
            .limit(5000)
        )
        return [call_record_from_row(r) for r in rows]

    async def ended_unseen(self, pbx: str, linkedids: Collection[str]) -> list[CallRecord]:
        """The stored calls among these that ended during an outage (asked in chunks)."""
        found = list[CallRecord]()
        for chunk in _chunks(linkedids):
            rows = await self._session.scalars(
                select(CallRecordRow).where(
                    CallRecordRow.pbx == pbx,
                    CallRecordRow.linkedid.in_(chunk),
                    CallRecordRow.ended_during_outage.is_(True),
                )
            )
            found.extend(call_record_from_row(r) for r in rows)
        return found

    async def correct(self, record: CallRecord) -> bool:
        """Rewrite what an outage left unknown of a stored call (and its contact's outcome);
        only a record stored as ended during an outage is touched. Whether one was."""
        changed = await self._session.execute(
            update(CallRecordRow)
            .where(
                CallRecordRow.pbx == record.pbx,
                CallRecordRow.linkedid == record.linkedid,
                CallRecordRow.ended_during_outage.is_(True),
            )
            .values(
                queues=list(record.queues),
                agent=record.agent,
                outcome=record.outcome,
                wait_s=record.wait_s,
                talk_s=record.talk_s,
                ring_attempts=record.ring_attempts,
                transferred=record.transferred,
                answered_at=record.answered_at,
                ended_at=record.ended_at,
                legs=_legs_json(record.legs),
            )
        )
        if not getattr(changed, "rowcount", 0):
            return False
        await self._session.execute(
            update(ContactRow)
            .where(ContactRow.pbx == record.pbx, ContactRow.call_linkedid == record.linkedid)
            .values(outcome=record.outcome, ended_at=record.ended_at)
        )
        return True
