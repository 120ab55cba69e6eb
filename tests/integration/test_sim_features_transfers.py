"""The simulator over real TCP plays transfers the way the recorded Asterisk did: a redirect of
the customer rejoins the target queue, an attended transfer goes through a consultation pair."""

from __future__ import annotations

from sim_client import running
from sim_features import SCALE, by_channel, recorded, settle, tap
from sim_replay import attended, redirect


async def test_redirect_of_the_customer_rejoins_the_target_queue_as_recorded() -> None:
    async with running(time_scale=SCALE, record_calls=False) as (sim, port), tap(port) as t:
        await redirect(sim, t)
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
        connect = await attended(sim, t)
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
