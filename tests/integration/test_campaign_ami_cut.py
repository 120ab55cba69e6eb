"""The AMI connection is cut while a campaign's calls are in the air (simulated Asterisk over
real AMI; SQLite and PostgreSQL): after the reconnect's resync, dials whose call is gone end at
once as no answer and come back by the retry rule; calls still up carry on to their result."""

from __future__ import annotations

from typing import Any

import pytest
import test_campaign_dialing as dialing
from test_campaign_dialing import NUMBERS, SECRET, Floor, _agents, _attempts, _campaign, _until

from callcenter.sim.pstn import Pstn

floor = dialing.floor  # the fixture: a campaign service's floor on the simulated Asterisk
pytestmark = pytest.mark.usefixtures("cut_pstn")
OUTAGE_S = 30.0  # simulated seconds without AMI: longer than the 8 s ring timeout


async def _stored(floor: Floor, numbers: set[str], sim_s: float = 30.0) -> dict[str, Any]:
    """The last stored attempt of each number, once every one has its outcome written."""
    end = floor.sim.now() + sim_s
    while True:
        rows = {a.number: a for a in await _attempts(floor.db) if a.number in numbers}
        if set(rows) == numbers and all(a.outcome is not None for a in rows.values()):
            return rows
        assert floor.sim.now() < end, "attempts not stored in time"
        await floor.sim.sleep(0.5)


@pytest.fixture
def cut_pstn(floor: Floor) -> None:
    # Half the lines never answer (they ring out during the outage), half talk for a minute.
    floor.sim.pstn = Pstn(rates={"answer": 0.5, "noanswer": 0.5}, ring_mean_s=1.0, talk_mean_s=60)


async def test_dials_gone_during_an_ami_cut_are_settled_at_the_resync(floor: Floor) -> None:
    """Figure: 3 agents, progressive; the AMI session is cut while both unanswered and connected
    calls are up, and logins fail for 30 simulated s -> every unanswered dial of before the cut
    is stored as no_answer within 10 s of the login (not after ring timeout + 120 s), its record
    queued again with the no-answer delay and not closed; every connected one is stored as
    connected with its agent once its talk ends; nothing is dialled during the outage; no
    abandon is counted but for a live answer still waiting for an agent at the cut."""
    service = floor.service()
    await _agents(floor, 3)
    built = await service.create(
        campaign=_campaign(), segment=None, csv_text="\n".join(NUMBERS), created_by="test"
    )
    cid = built.campaign.id
    await service.start(cid)
    dialer = service.dialers[cid][1]

    def mixed() -> bool:
        up = list(dialer.calls.by_number.values())
        return any(a.connected_at for a in up) and any(a.answered_at is None for a in up)

    await _until(floor, mixed, 120)
    ringing = {n for n, a in dialer.calls.by_number.items() if a.answered_at is None}
    talking = {n: a.agent for n, a in dialer.calls.by_number.items() if a.connected_at}
    waiting = [a for a in dialer.calls.by_number.values() if a.answered_at and not a.connected_at]
    dialled_before = len(floor.watch.originated)
    floor.sim.secret = "not-now"  # the reconnects are refused until the outage ends
    floor.sim.drop_connections()
    await floor.sim.sleep(OUTAGE_S)
    assert len(floor.watch.originated) == dialled_before  # no Originate into a dead link
    floor.sim.secret = SECRET
    await _until(floor, lambda: floor.listener.connects >= 2, 120)
    back = floor.sim.now()
    await _until(floor, lambda: not ringing & dialer.calls.by_number.keys(), 10)
    await floor.sim.sleep(1.0)  # the next tick stores them

    rows = {a.number: a for a in await _attempts(floor.db) if a.number in ringing}
    assert set(rows) == ringing
    for row in rows.values():
        assert row.outcome == "no_answer", row.number
        assert row.ended_at is not None
        assert row.ended_at.timestamp() - back < 10.0
    records = await service.store.dialable(cid)
    requeued = {r.number: r for r in records if r.number in ringing}
    assert set(requeued) == ringing  # retried by the campaign's rule, not closed as failed
    for record in requeued.values():
        assert record.last_outcome == "no_answer" and record.attempts == 1
        assert record.next_at >= back + 60 - 10.0  # the no-answer delay of _campaign()

    await _until(floor, lambda: not talking.keys() & dialer.calls.by_number.keys(), 600)
    kept = await _stored(floor, set(talking))
    assert {n: (a.outcome, a.agent) for n, a in kept.items()} == {
        n: ("connected", agent) for n, agent in talking.items()
    }
    # A live answer still waiting for an agent at the cut and gone by the resync counts as an
    # abandon (the strict reading); nothing else the outage ended does.
    figures = await service.figures(cid)
    assert figures["abandoned"] <= len(waiting)


async def test_dials_whose_events_were_lost_are_reconciled_from_core_show_channels(
    floor: Floor,
) -> None:
    """Figure: the link stops carrying events (actions still answered) just before a round of
    dials, then drops 10 simulated s later: the tracker never saw those calls. After the resync
    the ones rung out (gone from CoreShowChannels) are stored as no_answer at once and queued
    again; the ones talking to an agent (listed) are kept and stored as connected when they end;
    no number is in two calls at once."""
    service = floor.service()
    await _agents(floor, 2)
    built = await service.create(
        campaign=_campaign(), segment=None, csv_text="\n".join(NUMBERS), created_by="test"
    )
    cid = built.campaign.id
    await _until(floor, lambda: len(service._agents) >= 2, 30)
    for session in floor.sim.sessions:
        session.events = False  # Asterisk's events no longer reach us; Originate still works
    await service.start(cid)
    dialer_started = floor.sim.now()
    dialer = service.dialers[cid][1]
    await _until(floor, lambda: len(floor.watch.originated) >= 2, 30)
    await floor.sim.sleep(10.0)  # past the 8 s ring timeout: the unanswered ones are gone
    hidden = {n for n, at in floor.watch.originated if at >= dialer_started}
    assert hidden <= dialer.calls.by_number.keys()  # not one result heard
    assert floor.pipeline is not None
    assert floor.pipeline.tracker.live_calls("pbx1") == []
    floor.sim.drop_connections()
    await _until(floor, lambda: floor.listener.connects >= 2, 60)
    back = floor.sim.now()
    await _until(floor, lambda: bool(hidden - dialer.calls.by_number.keys()), 30)
    gone = hidden - dialer.calls.by_number.keys()
    rows = await _stored(floor, gone)
    up = hidden - gone
    assert gone and up, "some hidden dials rang out, some were answered"
    for number in gone:
        assert rows[number].outcome == "no_answer"
        ended = rows[number].ended_at
        assert ended is not None and ended.timestamp() - back < 10.0
    assert up <= dialer.calls.by_number.keys()  # listed by Asterisk: still tracked
    await _until(floor, lambda: not up & dialer.calls.by_number.keys(), 600)
    rows = await _stored(floor, up)
    assert {a.outcome for a in rows.values()} == {"connected"}
