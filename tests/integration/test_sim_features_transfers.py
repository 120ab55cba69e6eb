"""The simulator over real TCP plays transfers the way the recorded Asterisk did: a redirect of
the customer rejoins the target queue, an attended transfer goes through a consultation pair."""

from __future__ import annotations

from sim_client import running
from sim_features import SCALE, by_channel, recorded, settle, tap


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
        await settle(sim, t)
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


async def test_attended_transfer_through_a_consultation_pair_as_recorded() -> None:
    async with running(time_scale=SCALE, record_calls=False) as (sim, port), tap(port) as t:
        sim.place_call(
            "+8613822223333",
            "Gao Yan",
            "8001",
            answer_by=("1001", "1009"),
            agent_answers_after=2,
            talk_s=8,
            hangup_by="agent",
        )
        connect = await t.event("AgentConnect")
        await sim.sleep(3)
        t.act(
            Action="Atxfer",
            Channel=connect["DestChannel"],
            Exten="7006",
            Context="cc-transfer",
            ActionID="x1",
        )
        assert (await t.response("x1"))["Message"] == "Atxfer successfully queued"
        await settle(sim, t)
    theirs = recorded("attended_transfer")
    keys = {
        "QueueCallerJoin",
        "AgentConnect",
        "AgentComplete",
        "AttendedTransfer",
        "BridgeMerge",
        "Hold",
        "DTMFEnd",
        "Hangup",
        "MusicOnHoldStart",
        "MusicOnHoldStop",
    }
    assert by_channel(t.events, keys) == by_channel(theirs, keys)
    done = [m for m in t.events if m["Event"] == "AgentComplete"]
    assert [(m["Queue"], m["Reason"]) for m in done] == [
        ("member-hotline", "transfer"),
        ("finance", "agent"),
    ]
    second = next(
        m for m in t.events if m["Event"] == "QueueCallerJoin" and m["Queue"] == "finance"
    )
    assert second["Channel"].startswith("Local/7006@cc-transfer-") and second["Channel"].endswith(
        ";2"
    )
    assert second["Linkedid"] == connect["Linkedid"]
    assert second["CallerIDNum"] == "+8613822223333"
    xfer = next(m for m in t.events if m["Event"] == "AttendedTransfer")
    assert list(xfer) == list(next(m for m in theirs if m["Event"] == "AttendedTransfer"))
