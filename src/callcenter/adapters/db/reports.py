"""Read queries for the wallboard rebuild and the reports: stored calls of a time range."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from callcenter.adapters.db.tables import CallRecordRow
from callcenter.domain.records import CallRecord

# The routing column can be large and no figure needs it, so it is never read here.
_COLUMNS = (
    CallRecordRow.id,
    CallRecordRow.pbx,
    CallRecordRow.linkedid,
    CallRecordRow.direction,
    CallRecordRow.caller,
    CallRecordRow.caller_name,
    CallRecordRow.customer_id,
    CallRecordRow.queues,
    CallRecordRow.agent,
    CallRecordRow.agent_id,
    CallRecordRow.outcome,
    CallRecordRow.wait_s,
    CallRecordRow.talk_s,
    CallRecordRow.ring_attempts,
    CallRecordRow.transferred,
    CallRecordRow.started_at,
    CallRecordRow.answered_at,
    CallRecordRow.ended_at,
    CallRecordRow.wrapup_s,
    CallRecordRow.disposition_code,
    CallRecordRow.settled_first_contact,
)


async def call_records_between(
    session: AsyncSession, *, start: datetime, end: datetime
) -> list[CallRecord]:
    """Calls that started in [start, end), oldest first (without their routing detail)."""
    result = await session.execute(
        select(*_COLUMNS)
        .where(CallRecordRow.started_at >= start, CallRecordRow.started_at < end)
        .order_by(CallRecordRow.started_at, CallRecordRow.id)
    )
    return [
        CallRecord(
            id=row.id,
            pbx=row.pbx,
            linkedid=row.linkedid,
            direction=row.direction,
            caller=row.caller,
            caller_name=row.caller_name,
            customer_id=row.customer_id,
            queues=tuple(row.queues or ()),
            agent=row.agent,
            agent_id=row.agent_id,
            outcome=row.outcome,
            wait_s=row.wait_s,
            talk_s=row.talk_s,
            ring_attempts=row.ring_attempts,
            transferred=row.transferred,
            started_at=row.started_at,
            answered_at=row.answered_at,
            ended_at=row.ended_at,
            wrapup_s=row.wrapup_s,
            disposition_code=row.disposition_code,
            settled_first_contact=row.settled_first_contact,
        )
        for row in result.all()
    ]
