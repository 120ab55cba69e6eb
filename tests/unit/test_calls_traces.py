"""The call state machine on every recorded trace: per-call results stated here and checked
against app_queue's own queue_log."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from callcenter.adapters.ami.pipeline import AmiPipeline, RecordedClock, StreamClock
from callcenter.domain.calls import facts as f
from callcenter.domain.calls.records import CallRecord
from support import TRACES

# (trace, caller, caller_name, queues, agent, outcome, wait_s, talk_s, ring_attempts, transferred)
EXPECTED = {
    "answered_caller_hangs_up": [
        ("+8613800138000", "Li Wei", ("member-hotline",), "Wang Fang", "answered", 3, 5, 1, False)
    ],
    "answered_agent_hangs_up": [
        ("+861062751234", None, ("member-hotline",), "Wang Fang", "answered", 2, 4, 1, False)
    ],
    "abandoned_in_queue": [
        ("+85291234567", "Chan Tai Man", ("finance",), None, "abandoned", 12, 0, 0, False)
    ],
    "ring_no_answer_next_agent": [
        (
            "+8613912345678",
            "Zhao Min",
            ("member-hotline",),
            "Zhang Wei",
            "answered",
            19,
            7,
            2,
            False,
        )
    ],
    "queue_timeout_overflow": [
        (
            "+4915112345678",
            "Hans Müller",
            ("member-hotline", "online-service"),
            "Yang Li",
            "answered",
            27,
            7,
            3,
            False,
        )
    ],
    "anonymous_caller": [
        (None, None, ("online-service",), "Yang Li", "answered", 2, 7, 1, False),
        (None, None, ("member-hotline",), "Wang Fang", "answered", 2, 7, 1, False),
    ],
    "transfer_to_other_queue": [
        (
            "+8618612345678",
            "Sun Li",
            ("member-hotline", "finance"),
            "Wu Xia",
            "answered",
            4,
            8,
            2,
            True,
        )
    ],
    "agent_state_changes": [
        ("+862161239876", None, ("documents",), None, "abandoned", 15, 0, 1, False),
        (
            "+8613611112222",
            "Wu Gang",
            ("member-hotline",),
            "Wang Fang",
            "answered",
            2,
            14,
            1,
            False,
        ),
    ],
}


def run_trace(name: str, *, chunk: int = 65536, recorded: bool = True) -> list[f.Fact]:
    path = TRACES / f"{name}.ami"
    clock = (
        RecordedClock.from_jsonl(path.with_suffix(".jsonl").read_text("utf-8").splitlines())
        if recorded
        else StreamClock()
    )
    pipeline = AmiPipeline(pbx="pbx1", clock=clock)
    pipeline.feed_bytes(path.read_bytes(), chunk_size=chunk)
    assert pipeline.tracker.live_calls("pbx1") == []  # every call in a trace ends
    return pipeline.drain()


def records(facts: list[f.Fact]) -> list[CallRecord]:
    return [x.record for x in facts if isinstance(x, f.CallEnded)]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_trace_gives_the_stated_calls(name: str) -> None:
    got = [
        (
            r.caller,
            r.caller_name,
            r.queues,
            r.agent,
            r.outcome,
            r.wait_s,
            r.talk_s,
            r.ring_attempts,
            r.transferred,
        )
        for r in records(run_trace(name))
    ]
    assert got == EXPECTED[name]


def queue_log(path: Path) -> dict[str, dict[str, object]]:
    """Per callid: wait, talk, outcome, last agent and ring-no-answers as app_queue logged them."""
    calls: dict[str, dict[str, object]] = defaultdict(
        lambda: {"wait": 0.0, "talk": 0.0, "outcome": None, "agent": None, "rna": 0}
    )
    for line in path.read_text().splitlines():
        _, callid, _, agent, event, *data = line.split("|")
        if callid in ("NONE", "MANAGER"):
            continue
        call = calls[callid]
        if event == "CONNECT":
            call["wait"] = float(call["wait"]) + float(data[0])  # type: ignore[arg-type]
            call["outcome"], call["agent"] = "answered", agent
        elif event in ("COMPLETECALLER", "COMPLETEAGENT"):
            call["talk"] = float(call["talk"]) + float(data[1])  # type: ignore[arg-type]
        elif event == "BLINDTRANSFER":
            call["talk"] = float(call["talk"]) + float(data[3])  # type: ignore[arg-type]
        elif event in ("ABANDON", "EXITWITHTIMEOUT"):
            call["wait"] = float(call["wait"]) + float(data[2])  # type: ignore[arg-type]
            if call["outcome"] is None:
                call["outcome"] = "abandoned" if event == "ABANDON" else "timeout"
        elif event == "RINGNOANSWER":
            call["rna"] = int(call["rna"]) + 1  # type: ignore[call-overload]
    return calls


@pytest.mark.parametrize("name", sorted(p.stem for p in TRACES.glob("*.queue_log")))
def test_waits_talk_outcomes_agree_with_queue_log(name: str) -> None:
    facts = run_trace(name)
    logged = queue_log(TRACES / f"{name}.queue_log")
    got = {r.linkedid: r for r in records(facts)}
    assert set(got) == set(logged)
    rna = defaultdict(int)
    for x in facts:
        if isinstance(x, f.RingNoAnswer):
            rna[x.linkedid] += 1
    for linkedid, expected in logged.items():
        record = got[linkedid]
        outcome = expected["outcome"]
        # The queue_log's EXITWITHTIMEOUT is followed by the overflow queue's own lines.
        assert record.outcome == outcome, linkedid
        assert abs(record.wait_s - float(expected["wait"])) <= 1.0, linkedid  # type: ignore[arg-type]
        assert abs(record.talk_s - float(expected["talk"])) <= 1.0, linkedid  # type: ignore[arg-type]
        assert record.agent == expected["agent"], linkedid
        assert rna[linkedid] == expected["rna"], linkedid


def test_burst_has_ten_answered_ten_abandoned_two_ring_no_answers() -> None:
    facts = run_trace("concurrent_burst")
    outcomes = [r.outcome for r in records(facts)]
    assert (outcomes.count("answered"), outcomes.count("abandoned"), len(outcomes)) == (10, 10, 20)
    assert sum(isinstance(x, f.RingNoAnswer) for x in facts) == 2
    names = {r.caller: r.caller_name for r in records(facts)}
    assert names["+8613761234567"] == "刘德明"
    assert names["+8613122223333"] == "黄晓燕"


def test_outbound_call_is_the_originating_agents_and_talks_about_six_seconds() -> None:
    (record,) = records(run_trace("outbound_telemarketing"))
    assert (record.direction, record.queues, record.agent, record.outcome) == (
        "outbound",
        (),
        "Zhao Lei",
        "answered",
    )
    assert record.caller == "+8613812345678"
    assert record.caller_name is None  # the leg's name is our agent's, not the customer's
    assert 5.5 <= record.talk_s <= 7.0


def test_timeout_overflow_facts_come_in_order() -> None:
    kinds = [
        type(x).__name__
        for x in run_trace("queue_timeout_overflow")
        if not isinstance(x, f.AgentStateChanged)
    ]
    assert kinds == [
        "CallOffered",
        "RingStarted",
        "RingNoAnswer",
        "RingStarted",
        "RingNoAnswer",
        "QueueLeftUnanswered",
        "CallOverflowed",
        "CallOffered",
        "RingStarted",
        "CallAnswered",
        "CallEnded",
    ]


def test_transfer_emits_a_transfer_fact_by_the_first_agent() -> None:
    (transfer,) = [
        x for x in run_trace("transfer_to_other_queue") if isinstance(x, f.CallTransferred)
    ]
    assert (transfer.agent, transfer.context, transfer.exten) == (
        "Wang Fang",
        "cc-transfer",
        "7006",
    )


@pytest.mark.parametrize("name", [*sorted(EXPECTED), "concurrent_burst", "outbound_telemarketing"])
def test_without_recorded_times_queue_figures_are_unchanged(name: str) -> None:
    def key(r: CallRecord) -> tuple[object, ...]:
        return (r.linkedid, r.outcome, r.queues, r.agent, r.wait_s, r.ring_attempts)

    assert [key(r) for r in records(run_trace(name, recorded=False))] == [
        key(r) for r in records(run_trace(name))
    ]


def test_screen_pop_fact_carries_caller_and_routing() -> None:
    ringing = [x for x in run_trace("answered_caller_hangs_up") if isinstance(x, f.RingStarted)]
    assert len(ringing) == 1
    pop = ringing[0]
    assert (pop.agent, pop.interface, pop.queue) == (
        "Wang Fang",
        "Local/1001@agents/n",
        "member-hotline",
    )
    assert (pop.caller, pop.caller_name) == ("+8613800138000", "Li Wei")
    assert ("CC_QUEUE", "member-hotline") in pop.routing
