"""One test per finding of issue 10 (items 2-6) that the call tracking got wrong before."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from callcenter.adapters.ami.pipeline import AmiPipeline, RecordedClock
from callcenter.domain.agents.directory import AgentDirectory, KnownAgent
from callcenter.domain.calls import facts as f
from callcenter.domain.customers.numbers import parse_caller_id
from callcenter.services.screen_pop import ScreenPopService
from fakes import FakeNotifier
from support import TRACES

FEATURES = TRACES / "features"


class NoDatabase:
    async def lookup(self, *, raw: str | None) -> Any:
        raise RuntimeError("no database in this test")

    async def bundle(self, *, customer_id: int, now: Any) -> Any:
        raise RuntimeError("no database in this test")


AGENTS = AgentDirectory(
    [
        KnownAgent("1001", "Wang Fang", "Local/1001@agents/n"),
        KnownAgent("1002", "Zhang Wei", "Local/1002@agents/n"),
        KnownAgent("1009", "Wu Xia", "Local/1009@agents/n"),
    ]
)


def pops(pushes: FakeNotifier) -> ScreenPopService:
    return ScreenPopService(notifier=pushes, directory=NoDatabase(), agents=AGENTS)


def replay(path: Path) -> list[f.Fact]:
    clock = RecordedClock.from_jsonl(path.with_suffix(".jsonl").read_text("utf-8").splitlines())
    pipeline = AmiPipeline(pbx="pbx1", clock=clock)
    pipeline.feed_bytes(path.read_bytes(), chunk_size=4096)
    return pipeline.drain()


def ended(facts: list[f.Fact]) -> list[f.CallEnded]:
    return [x for x in facts if isinstance(x, f.CallEnded)]


# -- item 2: a preferred agent rung by a direct Dial() before Queue() ---------------------------

CUSTOMER = "PJSIP/trunk-00000001"
AGENT_LEG = "Local/1002@agents-00000002;1"


def _msg(event: str, **fields: str) -> dict[str, str]:
    return {"Event": event, **fields}


def preferred_agent_call() -> list[tuple[float, dict[str, str]]]:
    """The shipped dialplan's `[cc-queue]`: Dial(Local/1002@agents/n) first, 1002 answers."""
    call = {"Linkedid": "1800000000.0", "Context": "inbound", "Exten": "8001"}
    own = {**call, "Channel": CUSTOMER, "Uniqueid": "1800000000.0"}
    agent = {**call, "Channel": AGENT_LEG, "Uniqueid": "1800000000.2", "Context": "agents"}
    dial = {
        **own,
        "DestChannel": AGENT_LEG,
        "DestUniqueid": "1800000000.2",
        "DialString": "Local/1002@agents/n",
    }
    member = {
        "Queue": "member-hotline",
        "Interface": "Local/1002@agents/n",
        "MemberName": "Zhang Wei",
        "Status": "1",
    }
    return [
        (0.0, _msg("QueueMemberStatus", **member)),
        (1.0, _msg("Newchannel", **own)),
        (1.0, _msg("NewCallerid", **own, CallerIDNum="+8613800138000", CallerIDName="Li Wei")),
        (1.1, _msg("VarSet", **own, Variable="CC_PREFERRED_AGENT", Value="1002")),
        (1.2, _msg("Newchannel", **agent)),
        (1.2, _msg("DialBegin", **dial)),
        (4.2, _msg("DialEnd", **dial, DialStatus="ANSWER")),
        (14.2, _msg("Hangup", **agent, Cause="16")),
        (14.3, _msg("Hangup", **own, Cause="16")),
    ]


async def test_2_a_preferred_agent_dialled_directly_pops_and_is_the_calls_agent() -> None:
    pipeline = AmiPipeline(pbx="pbx1")
    pushes = FakeNotifier()
    service = pops(pushes)
    for at, message in preferred_agent_call():
        pipeline.handle(message, pbx="pbx1", at=1_800_000_000 + at)
        for fact in pipeline.drain():
            service.on_fact(fact)
            if isinstance(fact, f.CallEnded):
                record = fact.record
    popped = [p for p in pushes.sent if p[1] == "screen_pop"]
    assert popped and popped[0][0] == "agent:1002"
    assert popped[0][2]["call"]["caller"] == "+8613800138000"
    assert (record.outcome, record.agent, record.ring_attempts) == ("answered", "Zhang Wei", 1)
    assert [(leg.agent, leg.queue) for leg in record.legs] == [("Zhang Wei", None)]
    assert (record.wait_s, record.talk_s) == (3.0, 10.0)  # wait runs from the ring start
    await service.aclose()


# -- item 3: transfers -------------------------------------------------------------------------


def test_3_a_redirect_is_a_transfer_that_keeps_both_agents_talk() -> None:
    facts = replay(FEATURES / "redirect_transfer.ami")
    (call,) = ended(facts)
    record = call.record
    assert record.transferred
    first, second = record.legs
    assert (first.agent, second.agent) == ("Wang Fang", "Wu Xia")
    # Wang Fang talked from CONNECT (…706) until the caller entered finance (…709).
    assert abs(first.talk_s - 3.0) <= 0.5 and abs(second.talk_s - 7.0) <= 0.5
    left = [x for x in facts if isinstance(x, f.CallLeftAgent)]
    assert [(x.agent, x.interface) for x in left] == [("Wang Fang", "Local/1001@agents/n")]


def test_3_the_first_agents_desktop_hears_the_call_left_them() -> None:
    pushes = FakeNotifier()
    service = pops(pushes)
    for fact in replay(FEATURES / "redirect_transfer.ami"):
        if isinstance(fact, f.CallLeftAgent | f.CallEnded):
            service.on_fact(fact)
    updates = [(c, p["state"]) for c, t, p in pushes.sent if t == "call_update"]
    assert updates == [("agent:1001", "ended"), ("agent:1009", "ended")]


def test_3_an_attended_transfer_keeps_the_second_agent() -> None:
    (call,) = ended(replay(FEATURES / "attended_transfer.ami"))
    record = call.record
    assert (record.agent, record.transferred) == ("Wu Xia", True)
    assert [(leg.agent, leg.queue) for leg in record.legs] == [
        ("Wang Fang", "member-hotline"),
        ("Wu Xia", "finance"),
    ]
    assert record.queues == ("member-hotline", "finance") and record.ring_attempts == 2


# -- item 4: a call live while the backend restarts -------------------------------------------


def test_4_a_call_live_across_a_restart_keeps_agent_wait_rings_and_tells_the_desktop() -> None:
    path = TRACES / "agent_state_changes.jsonl"
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    first = next(r for r in rows if "Uniqueid" in r.get("msg", {}))
    base = float(first["msg"]["Uniqueid"].split(".")[0]) - first["t"]
    listed = [r for r in rows if r.get("msg", {}).get("ActionID") in ("cc-11", "cc-12")]
    start = rows.index(listed[-1]) + 1
    restarted = AmiPipeline(pbx="pbx1")  # knew nothing before the reconnect
    restarted.resync([r["msg"] for r in listed], pbx="pbx1", at=base + listed[-1]["t"])
    for row in rows[start:]:
        if "msg" in row and "Event" in row["msg"]:
            restarted.handle(row["msg"], pbx="pbx1", at=base + row["t"])
    pushes = FakeNotifier()
    service = pops(pushes)
    calls = {}
    for fact in restarted.drain():
        if isinstance(fact, f.CallEnded):
            service.on_fact(fact)
            calls[fact.record.caller] = fact
    wu_gang = calls["+8613611112222"]
    record = wu_gang.record
    # queue_log: CONNECT holdtime 2, COMPLETECALLER talk 14, by Wang Fang after one ring.
    assert (record.agent, record.outcome, record.ring_attempts) == ("Wang Fang", "answered", 1)
    assert (record.wait_s, record.talk_s) == (2.0, 14.0)
    assert ("agent:1001", "call_update") in [(c, t) for c, t, _ in pushes.sent]


# -- item 5: numbers phonenumbers calls invalid -------------------------------------------------


def test_5_a_plausible_invalid_caller_id_is_kept_unverified_and_garbage_stays_unknown() -> None:
    one_too_many = parse_caller_id("+86138001380001", "CN")
    assert (one_too_many.e164, one_too_many.verified) == ("+86138001380001", False)
    assert parse_caller_id("12345", "CN").e164 is None
    assert parse_caller_id("anonymous", "CN").kind == "withheld"
    messages = preferred_agent_call()
    for _, message in messages:
        if message["Event"] == "NewCallerid":
            message["CallerIDNum"] = "+86138001380001"
    pipeline = AmiPipeline(pbx="pbx1")
    for at, message in messages:
        pipeline.handle(message, pbx="pbx1", at=1_800_000_000 + at)
    (call,) = ended(pipeline.drain())
    assert (call.record.caller, call.record.caller_verified) == ("+86138001380001", False)


# -- item 6: outbound legs, AMD, ChanSpy, withdrawals, other clients' Originates --------------


def test_6_outbound_failures_amd_spies_and_withdrawals_are_told_apart() -> None:
    outbound = ended(replay(FEATURES / "outbound_outcomes.ami"))
    assert [c.record.outcome for c in outbound] == [
        "answered",
        "busy",
        "no_answer",
        "congestion",
        "failed",
        "busy",
        "no_answer",
        "congestion",
        "failed",
        "answered",
    ]
    assert {c.record.direction for c in outbound} == {"outbound"}
    amd = ended(replay(FEATURES / "amd_outbound.ami"))
    assert [(c.record.amd, c.record.outcome) for c in amd] == [
        ("HUMAN", "answered"),
        ("MACHINE", "machine"),
    ]
    (spied,) = ended(replay(FEATURES / "chanspy_supervisor.ami"))  # no phantom supervisor calls
    assert spied.record.monitored == 3
    withdrawn, callback = ended(replay(FEATURES / "queued_callback.ami"))
    assert (withdrawn.record.outcome, withdrawn.record.direction) == (
        "callback_requested",
        "inbound",
    )
    assert (callback.record.direction, callback.record.agent) == ("outbound", "Zhang Wei")


def test_6_another_clients_originate_into_an_entry_point_stays_an_inbound_call() -> None:
    pipeline = AmiPipeline(pbx="pbx1")
    messages = preferred_agent_call()
    reply = _msg(
        "OriginateResponse",
        ActionID="someone-else-7",
        Response="Success",
        Channel=CUSTOMER,
        Context="inbound",
        Exten="8001",
        Reason="4",
        Uniqueid="1800000000.0",
        CallerIDNum="+8613800138000",
    )
    messages.insert(3, (1.05, reply))
    for at, message in messages:
        pipeline.handle(message, pbx="pbx1", at=1_800_000_000 + at)
    (call,) = ended(pipeline.drain())
    assert (call.record.direction, call.record.caller, call.record.caller_name) == (
        "inbound",
        "+8613800138000",
        "Li Wei",
    )


def test_2_a_preferred_agent_who_does_not_answer_hands_the_call_to_the_queue() -> None:
    messages = [m for m in preferred_agent_call() if m[1]["Event"] != "Hangup"]
    dial_end = next(m for _, m in messages if m["Event"] == "DialEnd")
    dial_end["DialStatus"] = "NOANSWER"
    own = {"Linkedid": "1800000000.0", "Channel": CUSTOMER, "Uniqueid": "1800000000.0"}
    queued = {**own, "Queue": "member-hotline", "Context": "cc-queue", "Exten": "s"}
    agent_leg = {"Linkedid": "1800000000.0", "Channel": AGENT_LEG, "Uniqueid": "1800000000.2"}
    messages += [
        (4.2, _msg("Hangup", **agent_leg, Cause="0")),
        (4.3, _msg("QueueCallerJoin", **queued, CallerIDNum="+8613800138000", Position="1")),
        (6.3, _msg("QueueCallerAbandon", **queued, HoldTime="2", Position="1")),
        (6.3, _msg("QueueCallerLeave", **queued)),
        (6.4, _msg("Hangup", **own, Cause="16")),
    ]
    pipeline = AmiPipeline(pbx="pbx1")
    for at, message in messages:
        pipeline.handle(message, pbx="pbx1", at=1_800_000_000 + at)
    facts = pipeline.drain()
    missed = [x for x in facts if isinstance(x, f.RingNoAnswer)]
    assert [(x.agent, x.ring_s) for x in missed] == [("Zhang Wei", 3.0)]
    (call,) = ended(facts)
    record = call.record
    assert (record.outcome, record.queues, record.ring_attempts) == (
        "abandoned",
        ("member-hotline",),
        1,
    )
    assert record.wait_s == 5.0  # 3 s ringing the preferred agent, then 2 s in the queue


def test_3_the_consulted_agent_is_answered_for_the_customer_when_the_transfer_completes() -> None:
    kinds = [
        (type(x).__name__, getattr(x, "agent", None))
        for x in replay(FEATURES / "attended_transfer.ami")
        if isinstance(x, f.CallAnswered | f.CallTransferred | f.CallLeftAgent)
    ]
    assert kinds == [
        ("CallAnswered", "Wang Fang"),
        ("CallLeftAgent", "Wang Fang"),
        ("CallTransferred", "Wang Fang"),
        ("CallAnswered", "Wu Xia"),
    ]
