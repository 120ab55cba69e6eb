"""Leaving a queue for a callback (pure): a caller who pressed 1 while waiting ends as
`callback_requested` and keeps the place of their queue entry; a caller the queue timed out on is
owed a callback only when the dialplan promised one. Read from real Asterisk recordings too."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from callcenter.adapters.ami.pipeline import AmiPipeline
from callcenter.domain.calls import events as ev
from callcenter.domain.calls import facts as f
from callcenter.domain.calls.records import CallRecord
from callcenter.domain.calls.tracker import CallTracker
from callcenter.domain.queue_callbacks import (
    TIMED_OUT,
    WITHDRAWN,
    AbandonRule,
    callback_promised,
    may_owe,
    owed_callback,
)
from support import FIXTURES

START = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
PROMISED = {"CC_PRIORITY": "4", "CC_CALLBACK": "promised"}


def timed_out(**changes: object) -> CallRecord:
    record = CallRecord(
        pbx="pbx1",
        linkedid="1764756000.77",
        direction="inbound",
        caller="+8613501234567",
        caller_name="Li Na",
        queues=("letters",),
        agent=None,
        outcome="timeout",
        wait_s=60.0,
        talk_s=0.0,
        ring_attempts=2,
        transferred=False,
        started_at=START,
        ended_at=START + timedelta(seconds=70),
        customer_id=9,
        routing=PROMISED,
    )
    return replace(record, **changes)  # type: ignore[arg-type]


def replay(name: str) -> list[f.Fact]:
    """A scenario of the real-PBX suite, fed as the live listener feeds it."""
    pipeline = AmiPipeline(pbx="pbx1")
    path = FIXTURES / "pbx-suite" / f"{name}.events.jsonl"
    for line in path.read_text("utf-8").splitlines():
        if line.strip():
            pipeline.feed_message(json.loads(line))
    return pipeline.drain()


def test_a_timed_out_caller_told_we_will_call_back_is_owed_a_callback_in_their_place() -> None:
    joined = (START + timedelta(seconds=8)).timestamp()
    assert may_owe(timed_out(), AbandonRule())
    owed = owed_callback(timed_out(), AbandonRule(), joined)
    assert owed is not None and owed.why == TIMED_OUT
    assert owed.placed_at == START + timedelta(seconds=8)  # the queue entry, not the prompt
    assert (owed.queue, owed.priority, owed.caller, owed.customer_id) == (
        "letters",
        4,
        "+8613501234567",
        9,
    )
    assert owed.call_ref == "pbx1:1764756000.77" and owed.triage is None
    withheld = owed_callback(timed_out(caller=None, customer_id=None), AbandonRule(), None)
    assert withheld is not None and withheld.triage is not None  # promised: a person looks


@pytest.mark.parametrize(
    ("routing", "why"),
    [
        (None, "no routing at all"),
        ({"CC_PRIORITY": "4"}, "the dialplan said nothing (an older dialplan, another path)"),
        ({"CC_CALLBACK": "requested"}, "a request is a withdrawal's outcome, not a timeout's"),
        ({"CC_CALLBACK": ""}, "cleared"),
    ],
)
def test_a_timeout_the_dialplan_promised_nothing_for_is_owed_nothing(
    routing: dict[str, str] | None, why: str
) -> None:
    assert not callback_promised(routing)
    assert not may_owe(timed_out(routing=routing), AbandonRule(enabled=True))
    assert owed_callback(timed_out(routing=routing), AbandonRule(enabled=True), None) is None, why


def test_a_promise_to_an_outbound_call_or_one_that_never_queued_is_owed_nothing() -> None:
    # out of hours the router files the item itself: [cc-callback] s promises, but no queue
    assert owed_callback(timed_out(queues=()), AbandonRule(), None) is None
    assert owed_callback(timed_out(direction="outbound"), AbandonRule(), None) is None


def test_a_recorded_press_of_1_in_the_queue_is_a_request_placed_at_the_queue_join() -> None:
    facts = replay("pressed_1_for_callback")
    (end,) = [x for x in facts if isinstance(x, f.CallEnded)]
    (offered,) = [x for x in facts if isinstance(x, f.CallOffered)]
    (left,) = [x for x in facts if isinstance(x, f.QueueLeftUnanswered)]
    record = end.record
    assert record.outcome == "callback_requested"  # not abandoned: nobody hung up waiting
    assert (left.queue, left.reason) == ("member-hotline", "keypress")
    assert end.queued_at == offered.at
    # no HoldTime came for the stay: the wait is from the join to the QueueCallerLeave
    assert 2.5 <= record.wait_s <= 5 and left.waited_s == pytest.approx(record.wait_s)
    assert left.at - offered.at == pytest.approx(record.wait_s)
    owed = owed_callback(record, AbandonRule(), end.queued_at)
    assert owed is not None
    assert (owed.why, owed.caller, owed.queue) == (WITHDRAWN, "+8613501234567", "member-hotline")
    assert owed.placed_at == datetime.fromtimestamp(offered.at, UTC)


def test_a_recorded_timeout_then_the_prompt_is_a_promise_owed_a_callback() -> None:
    facts = replay("timed_out_promised_callback")
    (end,) = [x for x in facts if isinstance(x, f.CallEnded)]
    record = end.record
    assert record.outcome == "timeout" and callback_promised(record.routing)
    owed = owed_callback(record, AbandonRule(), end.queued_at)
    assert owed is not None and owed.why == TIMED_OUT
    assert (owed.caller, owed.queue, owed.priority) == ("+8613122223333", "member-hotline", 7)
    assert owed.placed_at < record.ended_at - timedelta(seconds=2)  # waited 3 s first


def test_a_recorded_transfer_then_a_press_of_1_stays_answered_and_owes_a_callback() -> None:
    facts = replay("transferred_then_pressed_1")
    (end,) = [x for x in facts if isinstance(x, f.CallEnded)]
    record = end.record
    assert (record.outcome, record.transferred, record.queues) == (
        "answered",
        True,
        ("member-hotline", "finance"),
    )
    owed = owed_callback(record, AbandonRule(), end.queued_at)
    assert owed is not None and (owed.why, owed.queue) == (WITHDRAWN, "finance")
    first = min(x.at for x in facts if isinstance(x, f.CallOffered))
    assert owed.placed_at == datetime.fromtimestamp(first, UTC)  # the hotline entry, not finance


def test_a_transferred_caller_who_presses_1_stays_answered_and_is_owed_a_callback() -> None:
    tracker = CallTracker()
    chan, agent = "Local/s@test-caller-00000001;1", "Local/1001@agents-00000002;1"
    call = {"pbx": "pbx1", "linkedid": "100.1"}
    tracker.apply(ev.ChannelCreatedSeen(**call, at=100, channel=chan, uniqueid="100.1"))

    def join(at: float, queue: str) -> None:
        tracker.apply(
            ev.CallerJoinedQueueSeen(
                **call, at=at, channel=chan, queue=queue, number="+8613501234567", name=None,
                position=1, context="cc-queue",
            )
        )  # fmt: skip

    join(101, "member-hotline")
    tracker.apply(
        ev.AgentConnectedSeen(
            **call, at=103, queue="member-hotline", interface="Local/1001@agents/n",
            member_name="Wang Fang", agent_channel=agent, hold_s=2, ring_s=1, channel=chan,
        )
    )  # fmt: skip
    join(120, "finance")  # the agent Redirected the customer to 7006
    tracker.apply(ev.CallerLeftQueueSeen(**call, at=124, channel=chan, queue="finance"))
    said = ev.RoutingVariableSeen(
        **call, at=124, channel=chan, name="CC_CALLBACK", value="requested"
    )
    (left,) = tracker.apply(said)
    assert isinstance(left, f.QueueLeftUnanswered) and left.queue == "finance"
    assert tracker.apply(said) == []  # said twice: once
    hung_up = ev.ChannelHungUpSeen(**call, at=126, channel=chan, uniqueid="100.1", cause=16)
    (end,) = [x for x in tracker.apply(hung_up) if isinstance(x, f.CallEnded)]
    assert end.record.outcome == "answered"  # an agent had the call: the reports say so
    assert end.record.wait_s == pytest.approx(2 + 4)  # 2 s to the agent, 4 s in finance
    assert may_owe(end.record, AbandonRule())
    owed = owed_callback(end.record, AbandonRule(), end.queued_at)
    assert owed is not None and (owed.why, owed.queue) == (WITHDRAWN, "finance")
    assert owed.placed_at == datetime.fromtimestamp(101, UTC)  # the call's first queue entry
    plain = replace(end.record, routing={"CC_PRIORITY": "1"})
    assert not may_owe(plain, AbandonRule()) and owed_callback(plain, AbandonRule(), 101) is None
