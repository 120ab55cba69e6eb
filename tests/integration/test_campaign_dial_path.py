"""The dialer's path from the pacing decision to the Originate, on SQLite and PostgreSQL through
the simulated Asterisk: every attempt is committed before its Originate leaves, a freed line is
redialled at once (not a pacing tick later), and finished attempts are stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from test_campaign_dialing import (
    NUMBERS,
    Counted,
    Floor,
    _agents,
    _attempts,
    _campaign,
    _until,
    floor,
)

from callcenter.adapters.db.campaign_segments import SqlSegments
from callcenter.adapters.db.repo_campaigns import SqlCampaigns
from callcenter.adapters.db.tables_campaigns import CampaignAttemptRow
from callcenter.domain.customers.numbers import parse_caller_id
from callcenter.services.campaigns import CampaignService

__all__ = ["floor"]


@dataclass
class Recorded:
    """For each Originate: its number and whether its attempt was committed when it left."""

    seen: list[tuple[str, bool]] = field(default_factory=list)


class CheckedFirst(Counted):
    """Before passing an Originate on, look for its attempt from another database session."""

    def __init__(self, inner: Counted, floor: Floor, recorded: Recorded) -> None:
        super().__init__(inner, inner.watch)
        self.floor = floor
        self.recorded = recorded

    async def originate_customer_first(self, **kw: Any) -> str:
        number = parse_caller_id(str(kw["dial"]), "CN").e164 or ""
        async with self.floor.db.sessions() as session:
            found = await session.scalar(
                select(CampaignAttemptRow.id).where(
                    CampaignAttemptRow.number == number, CampaignAttemptRow.ended_at.is_(None)
                )
            )
        self.recorded.seen.append((number, found is not None))
        return await super().originate_customer_first(**kw)


def _service(floor: Floor, *, tick_s: float) -> CampaignService:
    store = SqlCampaigns(floor.db.sessions)
    made = CampaignService(
        uow=floor.db.uow,
        store=store,
        ledger=store,
        segments=SqlSegments(floor.db.sessions),
        pbxs={"pbx1": floor.pbx},
        region="CN",
        default_zone="Asia/Shanghai",
        ring_timeout_s=8.0,
        tick_s=tick_s,
        clock=floor.sim.now,
        sleep=floor.sim.sleep,
    )
    floor.services.append(made)
    return made


async def test_every_originate_leaves_after_its_attempt_is_committed(floor: Floor) -> None:
    """Figure: 10 numbers, 3 agents, progressive -> each Originate that reaches Asterisk
    already has its attempt row, readable from another session (committed)."""
    recorded = Recorded()
    floor.pbx = CheckedFirst(floor.pbx, floor, recorded)
    service = _service(floor, tick_s=0.5)
    await _agents(floor, 3)
    built = await service.create(
        campaign=_campaign(), segment=None, csv_text="\n".join(NUMBERS[:10]), created_by="t"
    )
    await service.start(built.campaign.id)
    await _until(floor, lambda: len(recorded.seen) >= 8, 120)
    assert recorded.seen and all(committed for _, committed in recorded.seen), recorded.seen


async def test_a_freed_line_is_redialled_at_once_not_a_tick_later(floor: Floor) -> None:
    """Figure: one agent, 6 numbers, a pacing tick of 1,000 simulated seconds -> the next
    number is dialled as soon as the call before it ends (the dialer is woken), so at least
    four are dialled within 150 simulated seconds, one at a time, and the ended ones are stored
    with their outcome."""
    service = _service(floor, tick_s=1000.0)
    await _agents(floor, 1)
    built = await service.create(
        campaign=_campaign(), segment=None, csv_text="\n".join(NUMBERS[:6]), created_by="t"
    )
    started = floor.sim.now()
    await service.start(built.campaign.id)
    await _until(floor, lambda: len(floor.watch.originated) >= 4, 150)
    assert floor.sim.now() - started < 150  # the tick alone would have dialled one
    numbers = [n for n, _ in floor.watch.originated]
    assert len(set(numbers)) == len(numbers)  # never one number twice
    await _until(floor, lambda: len(floor.watch.ended) >= 3, 60)
    await service.release()  # stores what ended
    stored = [a for a in await _attempts(floor.db) if a.outcome is not None]
    assert len(stored) >= 3
    assert {a.outcome for a in stored} <= {"connected", "busy", "dropped", "no_answer"}
