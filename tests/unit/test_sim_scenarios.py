"""The simulator's call sequences have the recorded traces' shape: same events, order, headers."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from callcenter.sim.model import Message
from callcenter.sim.server import SimulatedAsterisk
from support import TRACES

# Call-level events whose relative order a state machine depends on.
ORDERED = {
    "QueueCallerJoin",
    "AgentCalled",
    "AgentRingNoAnswer",
    "QueueCallerAbandon",
    "QueueCallerLeave",
    "AgentConnect",
    "AgentComplete",
    "BlindTransfer",
    "OriginateResponse",
}
# Events whose number per call must match the recording.
COUNTED = ORDERED | {
    "Newchannel",
    "LocalBridge",
    "DialBegin",
    "DialEnd",
    "DialState",
    "Hangup",
    "BridgeEnter",
    "BridgeLeave",
    "QueueMemberStatus",
    "MusicOnHoldStart",
    "MusicOnHoldStop",
}
LIST_ONLY = {"FullyBooted", "SuccessfulAuth"}


def recorded(name: str) -> list[dict[str, str]]:
    """The events of a trace (no responses, no login events)."""
    out = []
    for line in Path(TRACES / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
        msg = json.loads(line).get("msg")
        if msg and "Event" in msg and msg["Event"] not in LIST_ONLY:
            out.append(msg)
    return out


def header_shapes() -> dict[str, set[tuple[str, ...]]]:
    """Every header-name layout each event type has in any trace."""
    shapes: dict[str, set[tuple[str, ...]]] = {}
    for path in TRACES.rglob("*.jsonl"):  # set one and the features set
        for line in path.read_text(encoding="utf-8").splitlines():
            msg = json.loads(line).get("msg")
            if msg and "Event" in msg:
                shapes.setdefault(msg["Event"], set()).add(tuple(msg))
    return shapes


async def simulate(setup: Callable[[SimulatedAsterisk], None]) -> list[dict[str, str]]:
    """Run one scripted call in-process (no socket) and collect what it emits."""
    sim = SimulatedAsterisk("callcenter", "secret", time_scale=0.002, seed=1)
    got: list[Message] = []
    sim.emit = got.append  # type: ignore[method-assign]
    setup(sim)
    await sim.wait_idle()
    return [dict(m) for m in got]


def pause(sim: SimulatedAsterisk, queue: str, *exts: str) -> None:
    for ext in exts:
        sim.model.queues[queue].members[f"Local/{ext}@agents/n"].paused = True


SCENARIOS: dict[str, Callable[[SimulatedAsterisk], None]] = {
    "answered_caller_hangs_up": lambda s: (
        s.place_call(
            "+8613800138000", "Li Wei", "8001", answer_by="1001", agent_answers_after=3, talk_s=5
        ),
        None,
    )[1],
    "answered_agent_hangs_up": lambda s: (
        s.place_call(
            "01062751234",
            None,
            "8001",
            answer_by="1001",
            agent_answers_after=2,
            talk_s=4,
            hangup_by="agent",
        ),
        None,
    )[1],
    "abandoned_in_queue": lambda s: (
        pause(s, "finance", "1009", "1005"),
        s.place_call("+85291234567", "Chan Tai Man", "8006", caller_hangs_up_after=12),
        None,
    )[2],
    "ring_no_answer_next_agent": lambda s: (
        s.place_call(
            "+8613912345678", "Zhao Min", "8001", answer_by="1002", agent_answers_after=2, talk_s=7
        ),
        None,
    )[1],
    "queue_timeout_overflow": lambda s: (
        pause(s, "online-service", "1004"),
        s.place_call(
            "+4915112345678",
            "Hans Müller",
            "8001",
            answer_by="1005",
            agent_answers_after=2,
            talk_s=7,
            max_wait_s=25,
        ),
        None,
    )[2],
    "transfer_to_other_queue": lambda s: (
        s.place_call(
            "+8618612345678",
            "Sun Li",
            "8001",
            answer_by=("1001", "1009"),
            agent_answers_after=2,
            talk_s=5,
            hangup_by="agent",
            transfer_to="7006",
        ),
        None,
    )[1],
    "outbound_telemarketing": lambda s: (
        s.start_originate(
            {
                "Channel": "Local/1006@agent-phone/n",
                "Context": "outbound",
                "Exten": "13812345678",
                "CallerID": '"Zhao Lei" <1006>',
                "ActionID": "cc-2",
                "Variable": ["PSTN_RING=4", "PSTN_TALK=6"],
            }
        ),
        None,
    )[1],
}


def _agents_own_phone(msg: dict[str, str]) -> bool:
    """An event of the agent's phone the shipped [agent-phone] Dials (PJSIP/10NN-…), as a real
    Asterisk showed; the recorded dialplan's agent-phone answered by itself."""
    return msg.get("Channel", "").startswith("PJSIP/") or msg.get("DestChannel", "").startswith(
        "PJSIP/"
    )


@pytest.mark.parametrize("name", sorted(SCENARIOS))
async def test_call_sequence_matches_recording(name: str) -> None:
    ours = [m for m in await simulate(SCENARIOS[name]) if not _agents_own_phone(m)]
    theirs = recorded(name)
    ordered = [m["Event"] for m in ours if m["Event"] in ORDERED]
    assert ordered == [m["Event"] for m in theirs if m["Event"] in ORDERED]
    ours_count = Counter(m["Event"] for m in ours if m["Event"] in COUNTED)
    assert ours_count == Counter(m["Event"] for m in theirs if m["Event"] in COUNTED)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
async def test_every_event_has_a_recorded_header_layout(name: str) -> None:
    shapes = header_shapes()
    for msg in await simulate(SCENARIOS[name]):
        assert msg["Event"] in shapes, msg["Event"]
        assert tuple(msg) in shapes[msg["Event"]], (msg["Event"], tuple(msg))


async def test_noise_is_at_realistic_volume_and_can_be_dropped() -> None:
    ours = await simulate(SCENARIOS["answered_caller_hangs_up"])
    theirs = recorded("answered_caller_hangs_up")
    noisy = sum(m["Event"] in ("VarSet", "Newexten") for m in ours)
    assert noisy >= 0.5 * sum(m["Event"] in ("VarSet", "Newexten") for m in theirs)

    async def quiet() -> list[dict[str, str]]:
        sim = SimulatedAsterisk("callcenter", "secret", time_scale=0.002, noise=False)
        got: list[Message] = []
        sim.emit = got.append  # type: ignore[method-assign]
        sim.place_call("+8613800138000", "Li Wei", "8001", agent_answers_after=1, talk_s=1)
        await sim.wait_idle()
        return [dict(m) for m in got]

    # What is left is what a backend reads: the recording's file name.
    left = [m for m in await quiet() if m["Event"] in ("VarSet", "Newexten")]
    assert [m["Variable"] for m in left] == ["MIXMONITOR_FILENAME"]


async def test_withheld_caller_shows_entry_point_on_agent_leg() -> None:
    ours = await simulate(
        lambda s: (
            s.place_call(None, None, "8002", answer_by="1004", agent_answers_after=1, talk_s=1),
            None,
        )[1]
    )
    called = next(m for m in ours if m["Event"] == "AgentCalled")
    assert called["CallerIDNum"] == "<unknown>"
    assert called["DestCallerIDNum"] == "8002"
    assert called["Queue"] == "online-service"


async def test_timeout_overflows_to_online_service_with_queuestatus() -> None:
    ours = await simulate(SCENARIOS["queue_timeout_overflow"])
    joins = [m["Queue"] for m in ours if m["Event"] == "QueueCallerJoin"]
    assert joins == ["member-hotline", "online-service"]
    status = [m for m in ours if m["Event"] == "VarSet" and m["Variable"] == "QUEUESTATUS"]
    assert [m["Value"] for m in status] == ["TIMEOUT"]
    rna = [m for m in ours if m["Event"] == "AgentRingNoAnswer"]
    assert rna[0]["RingTime"] in {"14999", "15000", "15001", "15002", "15003", "15004"}
    linked = {m.get("Linkedid") for m in ours if "Linkedid" in m}
    assert len(linked) == 1  # every leg of the call shares the caller ;1 Uniqueid


async def test_two_waiting_callers_ring_two_free_agents_at_once() -> None:
    def two_calls(sim: SimulatedAsterisk) -> None:
        for num in ("+8613501234567", "+8613011112222"):
            sim.place_call(num, None, "8001", agent_answers_after=3, talk_s=2)

    ours = await simulate(two_calls)
    firsts = [m for m in ours if m["Event"] in ("AgentCalled", "AgentConnect")][:3]
    assert [m["Event"] for m in firsts[:2]] == ["AgentCalled", "AgentCalled"]
    assert firsts[0]["MemberName"] != firsts[1]["MemberName"]
    assert firsts[0]["Linkedid"] != firsts[1]["Linkedid"]
    completes = [m for m in ours if m["Event"] == "AgentComplete"]
    assert len(completes) == 2


async def test_paused_agents_are_not_rung() -> None:
    def setup(sim: SimulatedAsterisk) -> None:
        pause(sim, "member-hotline", "1001", "1002")
        sim.place_call("+8613501234567", None, "8001", agent_answers_after=1, talk_s=1)

    called = [m["MemberName"] for m in await simulate(setup) if m["Event"] == "AgentCalled"]
    assert called == ["Liu Yang"]
