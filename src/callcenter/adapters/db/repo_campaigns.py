"""Campaigns over SQL (the CampaignStore and CampaignLedger ports): each method one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import case, exists, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from callcenter.adapters.db.campaign_rows import (
    campaign_from_row,
    campaign_row,
    epoch,
    record_from_row,
    stamp,
)
from callcenter.adapters.db.tables_campaigns import (
    CampaignAttemptRow,
    CampaignRecordRow,
    CampaignRow,
    DncNumberRow,
)
from callcenter.adapters.db.tables_customers import CustomerRow
from callcenter.domain.campaigns.abandon import BUCKET_S
from callcenter.domain.campaigns.campaign import Campaign
from callcenter.domain.campaigns.records import ListRecord
from callcenter.ports.campaigns import AttemptResult, CampaignSummary


class SqlCampaigns:
    """Campaigns, list records, attempts and the do-not-call list."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    # -- campaigns ----------------------------------------------------------------------------
    async def add(
        self, campaign: Campaign, *, source: dict[str, Any] | None = None, created_by: str = ""
    ) -> Campaign:
        row = campaign_row(campaign, source=source or {}, created_by=created_by)
        async with self._sessions() as session:
            session.add(row)
            await session.commit()
            return replace(campaign, id=row.id)

    async def get(self, campaign_id: int) -> CampaignSummary | None:
        async with self._sessions() as session:
            row = await session.get(CampaignRow, campaign_id)
            if row is None:
                return None
            counts = dict(
                (
                    await session.execute(
                        select(CampaignRecordRow.status, func.count())
                        .where(CampaignRecordRow.campaign_id == campaign_id)
                        .group_by(CampaignRecordRow.status)
                    )
                ).all()
            )
            return CampaignSummary(
                campaign=campaign_from_row(row),
                records=sum(counts.values()),
                left=counts.get("queued", 0) + counts.get("dialing", 0),
            )

    async def set_state(self, campaign_id: int, state: str) -> None:
        async with self._sessions() as session:
            await session.execute(
                update(CampaignRow)
                .where(CampaignRow.id == campaign_id)
                .values(state=state, updated_at=datetime.now(UTC))
            )
            await session.commit()

    async def add_records(self, campaign_id: int, records: Sequence[ListRecord]) -> int:
        rows = [
            {
                "campaign_id": campaign_id,
                "customer_id": r.customer_id,
                "number": r.number,
                "name": r.name,
                "status": "queued",
                "attempts": 0,
                "next_at": stamp(r.next_at),
            }
            for r in records
        ]
        async with self._sessions() as session:
            for start in range(0, len(rows), 1000):
                await session.execute(insert(CampaignRecordRow), rows[start : start + 1000])
            await session.commit()
        return len(rows)

    async def dialable(self, campaign_id: int) -> list[ListRecord]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(CampaignRecordRow)
                .where(
                    CampaignRecordRow.campaign_id == campaign_id,
                    CampaignRecordRow.status == "queued",
                )
                .order_by(CampaignRecordRow.next_at, CampaignRecordRow.id)
            )
            return [record_from_row(r) for r in rows]

    async def requeue_stale(self, campaign_id: int, *, next_at: float) -> int:
        # The attempt counted; its result is unknown (the call may still be up), so the number
        # waits a retry delay rather than being dialled again at once.
        async with self._sessions() as session:
            done = await session.execute(
                update(CampaignRecordRow)
                .where(
                    CampaignRecordRow.campaign_id == campaign_id,
                    CampaignRecordRow.status == "dialing",
                    # a connected one awaits its agent's disposition, not another dial
                    CampaignRecordRow.last_outcome.is_distinct_from("connected"),
                )
                .values(status="queued", next_at=stamp(next_at), last_outcome="failed")
            )
            await session.commit()
            return int(getattr(done, "rowcount", 0) or 0)

    async def answers_since(self, campaign_id: int, since: float) -> list[tuple[float, str, int]]:
        async with self._sessions() as session:
            at = func.coalesce(CampaignAttemptRow.answered_at, CampaignAttemptRow.ended_at)
            rows = await session.execute(
                select(at, CampaignAttemptRow.outcome).where(
                    CampaignAttemptRow.campaign_id == campaign_id,
                    at >= stamp(since),
                    CampaignAttemptRow.outcome.in_(("connected", "dropped", "machine")),
                )
            )
            counts: dict[tuple[float, str], int] = {}
            for when, outcome in rows:
                start = epoch(when) - epoch(when) % BUCKET_S
                key = (start, str(outcome))
                counts[key] = counts.get(key, 0) + 1
            return [(start, outcome, n) for (start, outcome), n in sorted(counts.items())]

    # -- do-not-call ------------------------------------------------------------------------
    async def add_dnc(self, number: str, reason: str) -> bool:
        async with self._sessions() as session:
            if await session.get(DncNumberRow, number) is not None:
                return False
            session.add(DncNumberRow(number=number, reason=reason, added_at=datetime.now(UTC)))
            await session.commit()
            return True

    async def is_dnc(self, number: str) -> bool:
        async with self._sessions() as session:
            return await session.get(DncNumberRow, number) is not None

    async def dnc_among(self, numbers: Sequence[str]) -> set[str]:
        """Which of these numbers are on the do-not-call list."""
        found: set[str] = set()
        async with self._sessions() as session:
            for start in range(0, len(numbers), 500):
                chunk = list(numbers[start : start + 500])
                found.update(
                    await session.scalars(
                        select(DncNumberRow.number).where(DncNumberRow.number.in_(chunk))
                    )
                )
        return found

    # -- the dialer's ledger ------------------------------------------------------------------
    async def claim(self, *, record: ListRecord, at: float) -> int | None:
        return (await self.claim_many(records=[record], at=at))[0]

    async def claim_many(self, *, records: Sequence[ListRecord], at: float) -> list[int | None]:
        if not records:
            return []
        rec = CampaignRecordRow
        barred = or_(
            exists().where(DncNumberRow.number == rec.number),
            exists().where(CustomerRow.id == rec.customer_id, CustomerRow.do_not_call.is_(True)),
        )
        # One statement checks do-not-call now and takes the records still queued (another
        # dialer's, or a closed one, are not): a barred one is closed, the others go dialling.
        async with self._sessions() as session:
            rows = await session.execute(
                update(rec)
                .where(rec.id.in_([r.id for r in records]), rec.status == "queued")
                .values(
                    status=case((barred, "done"), else_="dialing"),
                    closed_reason=case((barred, "do_not_call"), else_=rec.closed_reason),
                    attempts=case((barred, rec.attempts), else_=rec.attempts + 1),
                    last_outcome=case((barred, rec.last_outcome), else_=None),
                )
                .returning(rec.id, rec.status)
                .execution_options(synchronize_session=False)
            )
            claimed = {record_id for record_id, status in rows.all() if status == "dialing"}
            mine = [r for r in records if r.id in claimed]
            ids: dict[int, int] = {}
            if mine:
                made = await session.execute(
                    insert(CampaignAttemptRow).returning(
                        CampaignAttemptRow.record_id, CampaignAttemptRow.id
                    ),
                    [
                        {
                            "campaign_id": r.campaign_id,
                            "record_id": r.id,
                            "number": r.number,
                            "started_at": stamp(at),
                        }
                        for r in mine
                    ],
                )
                ids = {record_id: attempt_id for record_id, attempt_id in made.all()}
            await session.commit()
            return [ids.get(r.id) for r in records]

    async def finish(self, result: AttemptResult) -> None:
        await self.finish_many([result])

    async def finish_many(self, results: Sequence[AttemptResult]) -> None:
        if not results:
            return
        attempts = [
            {
                "id": x.attempt_id,
                "ended_at": stamp(x.ended_at),
                "outcome": x.outcome,
                "answered_at": _maybe(x.answered_at),
                "connected_at": _maybe(x.connected_at),
                "agent": x.agent,
                "linkedid": x.linkedid,
            }
            for x in results
        ]
        # A connected record keeps what its disposition (maybe already given) made of it.
        kept = [
            {"id": x.record.id, "last_outcome": x.record.last_outcome}
            for x in results
            if x.outcome == "connected"
        ]
        moved = [
            {
                "id": x.record.id,
                "status": x.record.status,
                "next_at": stamp(x.record.next_at),
                "last_outcome": x.record.last_outcome,
                "closed_reason": x.record.closed_reason,
            }
            for x in results
            if x.outcome != "connected"
        ]
        async with self._sessions() as session:  # bulk UPDATEs by primary key, one commit
            await session.execute(update(CampaignAttemptRow), attempts)
            for rows in (kept, moved):
                if rows:
                    await session.execute(update(CampaignRecordRow), rows)
            await session.commit()


def _maybe(at: float | None) -> datetime | None:
    return stamp(at) if at is not None else None
