"""A call rings an agent, the AMI connection is cut, and the call is answered, talked and hung up
before the listener is back (SQLite, PostgreSQL).

The resync finds the call gone and can store only what was known at the cut: rung, not
answered. With the PBX's queue_log configured, the read-back after the login has the call's
whole course and sets the record right: answered, by that agent. Without one, the record stays
as it stood at the cut and says so (ended_during_outage), as deploy.md tells operators.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from callcenter.domain.calls.records import CallRecord
from support.livestack import SECRET, LiveStack, live_stack


async def _answered_inside_a_cut(stack: LiveStack) -> CallRecord:
    """Place one call, cut the AMI while it rings and keep the listener out until it ended."""
    await stack.ami_connected()
    tracker = stack.runtime.pipelines["pbx1"].tracker
    linkedid = stack.sim.place_call(
        "+8613912340001", "Zhou Min", "8001", agent_answers_after=6, talk_s=20
    )
    async with asyncio.timeout(10):  # ringing an agent, as the tracker saw it
        while not any(c.ring_attempts for c in tracker.live("pbx1")):
            await asyncio.sleep(0.02)
    stack.sim.secret = "not-the-secret"  # the listener's logins fail until it is put back
    stack.sim.drop_connections()
    await stack.sim.wait_idle()  # answered, talked and hung up while nobody listened
    stack.sim.secret = SECRET
    await stack.ami_connected(connects=2, timeout=30)
    await stack.settled(timeout=30)
    async with stack.runtime.uow() as uow:
        record = await uow.calls.get("pbx1", linkedid)
    assert record is not None, "the call was lost"
    return record


async def test_a_call_answered_inside_a_cut_is_set_right_from_the_queue_log(
    database_url: str, tmp_path: Path
) -> None:
    async with live_stack(database_url, time_scale=0.1, queue_log=tmp_path / "queue_log") as stack:
        first = await _answered_inside_a_cut(stack)
        assert first.ended_during_outage
        record = first
        for _ in range(100):  # the read-back runs once the resync's records are written
            if record.outcome == "answered":
                break
            await asyncio.sleep(0.1)
            async with stack.runtime.uow() as uow:
                found = await uow.calls.get("pbx1", first.linkedid)
            assert found is not None
            record = found
    assert record.outcome == "answered"
    assert record.agent in {"Wang Fang", "Zhang Wei", "Liu Yang"}
    assert [leg.agent for leg in record.legs] == [record.agent]
    assert record.answered_at is not None
    # what the tracker knew is kept: who called, the queue, the call still marked unseen
    assert (record.caller, record.caller_name) == ("+8613912340001", "Zhou Min")
    assert record.queues == ("member-hotline",)
    assert record.ended_during_outage


async def test_without_a_queue_log_the_record_says_it_ended_unseen(database_url: str) -> None:
    async with live_stack(database_url, time_scale=0.1) as stack:
        record = await _answered_inside_a_cut(stack)
    assert record.ended_during_outage
    assert record.ring_attempts >= 1
    assert (record.caller, record.queues) == ("+8613912340001", ("member-hotline",))
