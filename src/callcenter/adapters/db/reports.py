"""Read queries for the wallboard rebuild and the reports: stored calls of a time range."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from callcenter.adapters.db.call_rows import call_record_from_row
from callcenter.adapters.db.tables_calls import CallRecordRow
from callcenter.domain.calls.records import CallRecord

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
    return [call_record_from_row(row) for row in result.all()]


class SqlCallReports:
    """The CallReports port over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def call_records_between(self, *, start: datetime, end: datetime) -> list[CallRecord]:
        """Calls that started in [start, end), oldest first (without their routing detail)."""
        return await call_records_between(self._session, start=start, end=end)
