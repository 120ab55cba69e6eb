"""The simulator over real TCP plays each feature the way the recorded Asterisk did: the same
key events per channel, in the same order, with the fields a backend reads."""

from __future__ import annotations

import asyncio
import wave
from pathlib import Path

from sim_client import running
from sim_features import by_channel, facts, recorded, sent, tap

from callcenter.sim.server import SimulatedAsterisk

SCALE = 0.1  # 1 simulated second = 100 ms (room for a loaded machine)


async def settle(sim: SimulatedAsterisk) -> None:
    await asyncio.wait_for(sim.wait_idle(), 30)
    await asyncio.sleep(0.05)  # the last events are on the wire


async def test_redirect_of_the_customer_rejoins_the_target_queue_as_recorded() -> None:
    async with running(time_scale=SCALE, record_calls=False) as (sim, port), tap(port) as t:
        sim.place_call(
            "+8613566667777",
            "Ma Jun",
            "8001",
            answer_by=("1001", "1009"),
            agent_answers_after=2,
            talk_s=6,
            hangup_by="agent",
        )
        connect = await t.event("AgentConnect", Queue="member-hotline")
        await sim.sleep(3)
        t.act(
            Action="Redirect",
            Channel=connect["Channel"],
            Context="cc-transfer",
            Exten="7006",
            Priority="1",
            ActionID="r1",
        )
        assert (await t.response("r1"))["Message"] == "Redirect successful"
        await settle(sim)
    theirs = recorded("redirect_transfer")
    assert by_channel(t.events) == by_channel(theirs)
    joins = [(m["Queue"], m["Uniqueid"]) for m in t.events if m["Event"] == "QueueCallerJoin"]
    assert [q for q, _ in joins] == ["member-hotline", "finance"]
    assert joins[0][1] == joins[1][1]  # the same customer channel re-joins
    held = [m for m in t.events if m["Event"] == "AgentComplete"][-1]
    shape = [m for m in theirs if m["Event"] == "AgentComplete"][-1]
    assert list(held) == list(shape)  # caller fields only, no Dest*
    assert (held["Queue"], held["Reason"]) == ("member-hotline", "caller")
    assert int(held["TalkTime"]) >= 9  # includes the time in finance


async def test_withdrawn_caller_leaves_like_an_abandon_with_queuestatus_withdraw() -> None:
    async with running(time_scale=SCALE, record_calls=False) as (sim, port), tap(port) as t:
        for ext in ("1001", "1002", "1003"):
            sim.model.queues["member-hotline"].members[f"Local/{ext}@agents/n"].paused = True
        sim.place_call("+8613588889999", "Fan Bing", "8001")
        join = await t.event("QueueCallerJoin")
        await sim.sleep(5)
        t.act(
            Action="QueueWithdrawCaller",
            Queue="member-hotline",
            Caller=join["Channel"],
            WithdrawInfo="callback-requested",
            ActionID="w1",
        )
        reply = await t.response("w1")
        assert (reply["Response"], reply["Message"]) == (
            "Success",
            "Withdraw requested successfully",
        )
        assert not [m for m in t.events if m["Event"] == "QueueCallerAbandon"]  # ~1 s later
        await settle(sim)
    theirs = recorded("queued_callback")
    caller = "Local/s@caller-sim;1"
    assert by_channel(t.events)[caller] == by_channel(theirs)[caller]
    ours_facts = [f for f in facts(t.events) if f[0] in ("QUEUESTATUS", "QUEUE_WITHDRAW_INFO")]
    assert ours_facts == [f for f in facts(theirs) if f[0] in ("QUEUESTATUS", "QUEUE_WITHDRAW_INFO")]
    abandon = next(m for m in t.events if m["Event"] == "QueueCallerAbandon")
    assert int(abandon["HoldTime"]) >= 5
