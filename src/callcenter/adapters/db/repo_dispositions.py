"""Dispositions: the wrap-up codes given for a call, kept as history; the newest is on the call."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from callcenter.adapters.db.tables import AgentRow
from callcenter.adapters.db.tables_calls import CallRecordRow
from callcenter.adapters.db.tables_customers import ContactRow
from callcenter.adapters.db.tables_history import CallDispositionRow
from callcenter.ports.call_stores import CallRef, DispositionEntry


class DispositionRepository:
    """Finds stored calls, adds dispositions to their history (flushes, never commits)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def find_call(self, *, linkedid: str, pbx: str | None = None) -> CallRef | None:
        """The stored call with this Linkedid (the newest, if several PBXs have one)."""
        stmt = select(
            CallRecordRow.pbx,
            CallRecordRow.linkedid,
            CallRecordRow.agent_id,
            CallRecordRow.customer_id,
            CallRecordRow.agent,
        ).where(CallRecordRow.linkedid == linkedid)
        if pbx is not None:
            stmt = stmt.where(CallRecordRow.pbx == pbx)
        row = (await self._session.execute(stmt.order_by(CallRecordRow.ended_at.desc()))).first()
        if row is None:
            return None
        return CallRef(
            pbx=row[0],
            linkedid=row[1],
            agent_id=row[2],
            customer_id=row[3],
            handled_by=await self._handlers(row[2], row[4]),
        )

    async def _handlers(self, agent_id: int | None, agent_name: str | None) -> frozenset[int]:
        """The agents who handled a call: its agent id, else the agent named on the record."""
        if agent_id is not None:
            return frozenset({agent_id})
        if not agent_name:
            return frozenset()
        ids = await self._session.scalars(select(AgentRow.id).where(AgentRow.name == agent_name))
        return frozenset(ids)

    async def add(self, *, call: CallRef, entry: DispositionEntry) -> None:
        """Append the entry to the call's history and show it on the call and its contacts."""
        self._session.add(
            CallDispositionRow(
                pbx=call.pbx,
                linkedid=call.linkedid,
                code=entry.code,
                settled=entry.settled,
                note=entry.note,
                agent_code=entry.agent_code,
                set_by=entry.set_by,
                set_at=entry.at,
            )
        )
        await self._session.execute(
            update(CallRecordRow)
            .where(CallRecordRow.pbx == call.pbx, CallRecordRow.linkedid == call.linkedid)
            .values(disposition_code=entry.code, settled_first_contact=entry.settled)
        )
        values: dict[str, object] = {
            "disposition_code": entry.code,
            "settled_first_contact": entry.settled,
        }
        if entry.note is not None:
            values["note"] = entry.note
        await self._session.execute(
            update(ContactRow)
            .where(ContactRow.pbx == call.pbx, ContactRow.call_linkedid == call.linkedid)
            .values(**values)
        )
        await self._session.flush()

    async def history(self, *, pbx: str, linkedid: str) -> list[DispositionEntry]:
        """The call's dispositions, oldest first."""
        rows = await self._session.scalars(
            select(CallDispositionRow)
            .where(CallDispositionRow.pbx == pbx, CallDispositionRow.linkedid == linkedid)
            .order_by(CallDispositionRow.id)
        )
        return [
            DispositionEntry(
                code=r.code,
                settled=r.settled,
                note=r.note,
                agent_code=r.agent_code,
                set_by=r.set_by,
                at=r.set_at,
            )
            for r in rows
        ]

    async def contact_disposition(
        self, *, pbx: str, linkedid: str
    ) -> tuple[str | None, bool, str | None] | None:
        """(code, settled, note) of the call's contact row, or None when it has none."""
        row = (
            await self._session.execute(
                select(
                    ContactRow.disposition_code,
                    ContactRow.settled_first_contact,
                    ContactRow.note,
                ).where(ContactRow.pbx == pbx, ContactRow.call_linkedid == linkedid)
            )
        ).first()
        return None if row is None else (row[0], bool(row[1]), row[2])
