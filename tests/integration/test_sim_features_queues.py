"""The simulator over real TCP plays queue membership and exits the way the recorded Asterisk did:
a withdrawn caller leaves like an abandon, default members log out and in."""

from __future__ import annotations

from sim_client import running
from sim_features import SCALE, by_channel, facts, recorded, settle, tap
from sim_replay import withdraw_only


async def test_withdrawn_caller_leaves_like_an_abandon_with_queuestatus_withdraw() -> None:
    async with running(time_scale=SCALE, record_calls=False) as (sim, port), tap(port) as t:
        await withdraw_only(sim, t)
        reply = await t.response("w1")
        assert (reply["Response"], reply["Message"]) == (
            "Success",
            "Withdraw requested successfully",
        )
        assert not [m for m in t.events if m["Event"] == "QueueCallerAbandon"]  # ~1 s later
        await settle(sim, t)
    theirs = recorded("queued_callback")
    caller = "Local/s@caller-sim;1"
    assert by_channel(t.events)[caller] == by_channel(theirs)[caller]
    ours_facts = [f for f in facts(t.events) if f[0] in ("QUEUESTATUS", "QUEUE_WITHDRAW_INFO")]
    assert ours_facts == [
        f for f in facts(theirs) if f[0] in ("QUEUESTATUS", "QUEUE_WITHDRAW_INFO")
    ]
    abandon = next(m for m in t.events if m["Event"] == "QueueCallerAbandon")
    assert int(abandon["HoldTime"]) >= 5


async def test_default_members_are_dynamic_so_log_out_and_in_work() -> None:
    async with running(time_scale=SCALE) as (_sim, port), tap(port) as t:
        t.act(Action="QueueRemove", Queue="finance", Interface="Local/1009@agents/n", ActionID="q1")
        assert (await t.response("q1"))["Message"] == "Removed interface from queue"
        removed = await t.event("QueueMemberRemoved")
        assert (removed["MemberName"], removed["Membership"]) == ("Wu Xia", "dynamic")
        t.act(
            Action="QueueAdd",
            Queue="finance",
            Interface="Local/1009@agents/n",
            MemberName="Wu Xia",
            StateInterface="Custom:agent1009",
            ActionID="q2",
        )
        assert (await t.response("q2"))["Message"] == "Added interface to queue"
