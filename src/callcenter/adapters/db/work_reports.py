"""The work reports' read (the WorkReports port): items of a range with their group, kind,
status, agent, times, and their last acceptance from the change log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from callcenter.adapters.db.tables import AgentRow
from callcenter.adapters.db.tables_work import WorkItemEventRow, WorkItemRow
from callcenter.domain.work_items import FINAL_STATUSES, OPEN_STATUSES
from callcenter.domain.work_report import WorkRecord


class SqlWorkReports:
    """The WorkReports port over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def work_records(self, *, start: datetime, end: datetime) -> list[WorkRecord]:
        """Items that came in before `end` and were open, or changed, at or after `start`
        (an item closed before the range cannot count in it), oldest first."""
        w, e = WorkItemRow, WorkItemEventRow
        accepted = (
            select(func.max(e.at))
            .where(e.work_item_id == w.id, e.to_status == "accepted")
            .scalar_subquery()
        )
        rows = await self._session.execute(
            select(
                w.group_slug,
                w.kind,
                w.status,
                AgentRow.code,
                w.created_at,
                w.due_at,
                w.updated_at,
                accepted,
            )
            .outerjoin(AgentRow, AgentRow.id == w.owner_agent_id)
            .where(
                w.created_at < end,
                or_(w.status.in_(OPEN_STATUSES), w.updated_at >= start),
            )
            .order_by(w.created_at, w.id)
        )
        return [
            WorkRecord(
                group=group,
                kind=kind,
                status=status,
                agent=agent,
                created_at=created,
                due_at=due,
                closed_at=changed if status in FINAL_STATUSES else None,
                accepted_at=taken,
            )
            for group, kind, status, agent, created, due, changed, taken in rows
        ]
