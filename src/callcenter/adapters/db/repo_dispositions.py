"""Dispositions: the wrap-up code an agent gives a finished call, on its record and contact row."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from callcenter.adapters.db.tables import CallRecordRow, ContactRow


@dataclass(frozen=True)
class CallRef:
    """A stored call as the disposition needs it."""

    pbx: str
    linkedid: str
    agent_id: int | None
    customer_id: int | None


class DispositionRepository:
    """Finds stored calls and writes dispositions onto them (flushes, never commits)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def find_call(self, *, linkedid: str, pbx: str | None = None) -> CallRef | None:
        """The stored call with this Linkedid (the newest, if several PBXs have one)."""
        stmt = select(
            CallRecordRow.pbx,
            CallRecordRow.linkedid,
            CallRecordRow.agent_id,
            CallRecordRow.customer_id,
        ).where(CallRecordRow.linkedid == linkedid)
        if pbx is not None:
            stmt = stmt.where(CallRecordRow.pbx == pbx)
        row = (await self._session.execute(stmt.order_by(CallRecordRow.ended_at.desc()))).first()
        if row is None:
            return None
        return CallRef(pbx=row[0], linkedid=row[1], agent_id=row[2], customer_id=row[3])

    async def apply(
        self, *, call: CallRef, code: str, settled: bool, note: str | None
    ) -> tuple[int, int]:
        """Set the disposition on the call record and its contact rows; (records, contacts) hit."""
        records = await self._session.execute(
            update(CallRecordRow)
            .where(CallRecordRow.pbx == call.pbx, CallRecordRow.linkedid == call.linkedid)
            .values(disposition_code=code, settled_first_contact=settled)
        )
        values: dict[str, object] = {"disposition_code": code, "settled_first_contact": settled}
        if note is not None:
            values["note"] = note
        contacts = await self._session.execute(
            update(ContactRow)
            .where(ContactRow.pbx == call.pbx, ContactRow.call_linkedid == call.linkedid)
            .values(**values)
        )
        await self._session.flush()
        return int(records.rowcount or 0), int(contacts.rowcount or 0)  # type: ignore[attr-defined]

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
