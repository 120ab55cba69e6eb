"""Action replies of the simulator have the recorded layouts and counts (no sockets)."""

from __future__ import annotations

import asyncio
import json

from callcenter.sim.actions import HANDLERS
from callcenter.sim.chanspy import spy_mode
from callcenter.sim.model import Message
from callcenter.sim.server import SimulatedAsterisk
from support import TRACES


def recorded_layouts() -> set[tuple[str, ...]]:
    """Every header layout of list replies and action responses in the traces."""
    shapes: set[tuple[str, ...]] = set()
    for path in TRACES.glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            msg = json.loads(line).get("msg")
            if msg and "Privilege" not in msg:
                shapes.add(tuple(msg))
    return shapes


async def busy_sim() -> tuple[SimulatedAsterisk, list[Message]]:
    """A simulator with a caller waiting in documents (its only agent never answers)."""
    sim = SimulatedAsterisk("callcenter", "x", time_scale=0.001)
    events: list[Message] = []
    sim.emit = events.append  # type: ignore[method-assign]
    sim.place_call("02161239876", None, "8005", answer_by="9999")
    await asyncio.sleep(0.01)
    return sim, events


async def test_list_replies_use_recorded_layouts() -> None:
    sim, _ = await busy_sim()
    layouts = recorded_layouts()
    for name in ("queuestatus", "queuesummary", "coreshowchannels"):
        reply = HANDLERS[name](sim, {"Action": name, "ActionID": "cc-9"})
        for msg in reply.messages:
            assert tuple(k for k, _ in msg) in layouts, (name, [k for k, _ in msg])
        assert reply.messages[-1][-1] == ("ListItems", str(len(reply.messages) - 2))
    status = HANDLERS["queuestatus"](sim, {"Action": "QueueStatus", "Queue": "documents"})
    entry = dict(next(m for m in status.messages if dict(m).get("Event") == "QueueEntry"))
    assert entry["CallerIDName"] == "unknown" and entry["CallerIDNum"] == "02161239876"
    summary = HANDLERS["queuesummary"](sim, {"Action": "QueueSummary", "Queue": "documents"})
    row = dict(summary.messages[1])
    assert (row["LoggedIn"], row["Callers"]) == ("1", "1")
    await sim.stop()


async def test_member_action_events_use_recorded_layouts() -> None:
    sim, _ = await busy_sim()
    layouts = recorded_layouts() | {
        tuple(json.loads(line)["msg"])
        for path in TRACES.glob("*.jsonl")
        for line in path.read_text(encoding="utf-8").splitlines()
        if "msg" in json.loads(line)
    }
    add = {
        "Action": "QueueAdd",
        "Queue": "finance",
        "Interface": "Local/1011@agents/n",
        "MemberName": "Sun Hui",
        "StateInterface": "Custom:agent1011",
        "ActionID": "a",
    }
    pause = {
        "Action": "QueuePause",
        "Interface": "Local/1011@agents/n",
        "Paused": "1",
        "Reason": "Lunch break",
        "ActionID": "b",
    }
    for action in (add, pause):
        reply = HANDLERS[action["Action"].lower()](sim, action)
        for msg in reply.messages + reply.events:
            assert tuple(k for k, _ in msg) in layouts
    member = sim.model.queues["finance"].members["Local/1011@agents/n"]
    assert member.paused and member.reason == "Lunch break"
    await sim.stop()


async def test_hangup_and_redirect_of_a_waiting_caller() -> None:
    sim, events = await busy_sim()
    caller = "Local/s@caller-sim-00000000;1"
    moved = HANDLERS["redirect"](
        sim, {"Action": "Redirect", "Channel": caller, "Context": "cc-transfer", "Exten": "7006"}
    )
    assert dict(moved.messages[0])["Response"] == "Success"
    await asyncio.sleep(0.05)
    joins = [dict(m)["Queue"] for m in events if dict(m)["Event"] == "QueueCallerJoin"]
    assert joins == ["documents", "finance"]
    gone = HANDLERS["hangup"](sim, {"Action": "Hangup", "Channel": caller})
    assert dict(gone.messages[0])["Message"] == "Channel Hungup"
    await sim.wait_idle()
    assert [dict(m)["Event"] for m in events].count("QueueCallerAbandon") == 1
    unknown = HANDLERS["hangup"](sim, {"Action": "Hangup", "Channel": caller})
    assert dict(unknown.messages[0])["Message"] == "No such channel"


def test_play_dtmf_switches_a_chanspy_with_option_d_and_refuses_like_asterisk() -> None:
    sim = SimulatedAsterisk("callcenter", "x", time_scale=0.001)
    events: list[Message] = []
    sim.emit = events.append  # type: ignore[method-assign]
    spyer, _ = sim.model.local_pair("2001@supervisor", 0.0)
    spyer.application, spyer.app_data = "ChanSpy", "Local/1001@agents-00000001;1,qd"
    spyer.spy_flags = "qd"
    plain, _ = sim.model.local_pair("2002@supervisor", 0.0)
    plain.application, plain.spy_flags = "ChanSpy", "q"
    play = HANDLERS["playdtmf"]

    def press(channel: str, digit: str, receive: str = "true") -> list[Message]:
        action = {"Action": "PlayDTMF", "ActionID": "d-1", "Channel": channel}
        reply = play(sim, {**action, "Digit": digit, "Duration": "120", "Receive": receive})
        return reply.messages + reply.events

    for digit, mode in (("5", "whisper"), ("6", "barge"), ("1", "barge"), ("4", "listen")):
        reply, dtmf = press(spyer.name, digit)
        assert dict(reply)["Message"] == "DTMF successfully queued"
        assert dict(dtmf)["Event"] == "DTMFEnd" and dict(dtmf)["Direction"] == "Received"
        assert dict(dtmf)["Channel"] == spyer.name and dict(dtmf)["Digit"] == digit
        assert spy_mode(spyer.spy_flags) == mode
    press(plain.name, "6")
    assert spy_mode(plain.spy_flags) == "listen"  # without d a digit is no mode change
    (sent_out,) = press(spyer.name, "5", receive="no")  # sent to the phone, not read by ChanSpy
    assert spy_mode(spyer.spy_flags) == "listen" and dict(sent_out)["Response"] == "Success"
    (missing,) = press("Local/9999@nowhere-00000009;1", "5")
    assert dict(missing)["Message"] == "Channel not found"
    (nodigit,) = press(spyer.name, "")
    assert dict(nodigit)["Message"] == "No digit specified"
