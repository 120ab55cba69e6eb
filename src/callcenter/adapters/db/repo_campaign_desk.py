"""Campaign writes of agents and supervisors over SQL (the CampaignDeskStore port)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from callcenter.adapters.db.campaign_rows import record_from_row, stamp
from callcenter.adapters.db.tables_campaigns import (
    CampaignAttemptRow,
    CampaignRecordRow,
    CampaignRow,
)
from callcenter.domain.campaigns.records import ListRecord
from callcenter.ports.campaigns import AgentTally


class SqlCampaignDesk:
    """Caps, dispositions, preview skips and per-agent tallies of campaigns."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def running_ids(self) -> list[int]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(CampaignRow.id)
                .where(CampaignRow.state == "running")
                .order_by(CampaignRow.id)
            )
            return list(rows)

    async def ids(self, states: Sequence[str] | None = None) -> list[int]:
        query = select(CampaignRow.id).order_by(CampaignRow.id)
        if states is not None:
            query = query.where(CampaignRow.state.in_(list(states)))
        async with self._sessions() as session:
            return list(await session.scalars(query))

    async def set_caps(
        self, campaign_id: int, *, abandon_cap_pct: float, dial_level_cap: float | None
    ) -> None:
        async with self._sessions() as session:
            await session.execute(
                update(CampaignRow)
                .where(CampaignRow.id == campaign_id)
                .values(
                    abandon_cap_pct=abandon_cap_pct,
                    dial_level_cap=dial_level_cap,
                    updated_at=datetime.now(UTC),
                )
            )
            await session.commit()

    async def record(self, campaign_id: int, record_id: int) -> ListRecord | None:
        async with self._sessions() as session:
            row = await session.get(CampaignRecordRow, record_id)
            if row is None or row.campaign_id != campaign_id:
                return None
            return record_from_row(row)

    async def agent_of(self, record_id: int) -> str | None:
        async with self._sessions() as session:
            return await session.scalar(
                select(CampaignAttemptRow.agent)
                .where(
                    CampaignAttemptRow.record_id == record_id,
                    CampaignAttemptRow.agent.is_not(None),
                )
                .order_by(CampaignAttemptRow.id.desc())
                .limit(1)
            )

    async def dispose(self, record: ListRecord, *, code: str, agent: str | None, at: float) -> None:
        async with self._sessions() as session:
            await session.execute(
                update(CampaignRecordRow)
                .where(CampaignRecordRow.id == record.id)
                .values(
                    status=record.status,
                    next_at=stamp(record.next_at),
                    closed_reason=record.closed_reason,
                    last_outcome="connected",
                )
            )
            newest = await session.scalar(
                select(func.max(CampaignAttemptRow.id)).where(
                    CampaignAttemptRow.record_id == record.id
                )
            )
            if newest is not None:
                values: dict[str, object] = {"disposition": code}
                row = await session.get(CampaignAttemptRow, newest)
                if row is not None and row.ended_at is None and row.outcome is None:
                    # A preview call (agent-first) or one still up: it reached its agent.
                    values |= {"outcome": "connected", "connected_at": stamp(at)}
                if row is not None and row.agent is None and agent is not None:
                    values["agent"] = agent
                await session.execute(
                    update(CampaignAttemptRow)
                    .where(CampaignAttemptRow.id == newest)
                    .values(**values)
                )
            await session.commit()

    async def postpone(self, record_id: int, *, next_at: float) -> None:
        async with self._sessions() as session:
            await session.execute(
                update(CampaignRecordRow)
                .where(CampaignRecordRow.id == record_id, CampaignRecordRow.status == "queued")
                .values(next_at=stamp(next_at))
            )
            await session.commit()

    async def tallies(self, campaign_id: int) -> list[AgentTally]:
        async with self._sessions() as session:
            rows = await session.execute(
                select(
                    CampaignAttemptRow.agent,
                    CampaignAttemptRow.outcome,
                    CampaignAttemptRow.disposition,
                    func.count(),
                )
                .where(CampaignAttemptRow.campaign_id == campaign_id)
                .group_by(
                    CampaignAttemptRow.agent,
                    CampaignAttemptRow.outcome,
                    CampaignAttemptRow.disposition,
                )
            )
            by_agent: dict[str, AgentTally] = {}
            for agent, outcome, disposition, count in rows:
                key = agent or ""
                tally = by_agent.setdefault(key, AgentTally(key, 0, 0, {}))
                connected = tally.connected + (count if outcome == "connected" else 0)
                dispositions = dict(tally.dispositions)
                if disposition:
                    dispositions[disposition] = dispositions.get(disposition, 0) + count
                outcomes = dict(tally.outcomes)
                if outcome:
                    outcomes[outcome] = outcomes.get(outcome, 0) + count
                by_agent[key] = AgentTally(
                    key, tally.attempts + count, connected, dispositions, outcomes
                )
            return [by_agent[k] for k in sorted(by_agent)]
