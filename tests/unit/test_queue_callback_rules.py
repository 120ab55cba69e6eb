"""The pure rules of callbacks owed by finished calls: a withdrawn caller keeps the place of their
first queue entry; an abandoned known caller is called back only past the threshold; read from a
real recording of QueueWithdrawCaller too."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from callcenter.adapters.ami.pipeline import AmiPipeline, RecordedClock
from callcenter.domain.calls import facts as f
from callcenter.domain.calls.records import CallRecord
from callcenter.domain.queue_callbacks import (
    ABANDONED,
    WITHDRAWN,
    AbandonRule,
    owed_callback,
    queue_priority,
    reaching_call,
)
from support import TRACES

START = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
ON = AbandonRule(enabled=True, min_wait_s=30)


def call(outcome: str, **changes: object) -> CallRecord:
    record = CallRecord(
        pbx="pbx1",
        linkedid="1764756000.42",
        direction="inbound",
        caller="+8613800138000",
        caller_name="Li Wei",
        queues=("member-hotline", "online-service"),  # overflowed, then left the second queue
        agent=None,
        outcome=outcome,
        wait_s=95.0,
        talk_s=0.0,
        ring_attempts=0,
        transferred=False,
        started_at=START,
        ended_at=START + timedelta(seconds=110),
        customer_id=7,
        routing={"CC_PRIORITY": "5", "CC_QUEUE": "member-hotline"},
    )
    return replace(record, **changes)  # type: ignore[arg-type]


def test_a_withdrawn_caller_keeps_the_place_of_their_first_queue_entry() -> None:
    joined = (START + timedelta(seconds=12)).timestamp()
    owed = owed_callback(call("callback_requested"), AbandonRule(), joined)
    assert owed is not None
    assert owed.why == WITHDRAWN
    assert owed.placed_at == START + timedelta(seconds=12)  # not when the call (or item) ended
    assert (owed.queue, owed.priority, owed.caller, owed.customer_id) == (
        "online-service",
        5,
        "+8613800138000",
        7,
    )
    assert owed.call_ref == "pbx1:1764756000.42"
    assert owed.triage is None
    # without the join time: the end minus the time spent in queues
    guessed = owed_callback(call("callback_requested"), AbandonRule(), None)
    assert guessed is not None and guessed.placed_at == START + timedelta(seconds=15)


def test_a_withdrawn_caller_is_owed_one_even_unknown_and_withheld_goes_to_triage() -> None:
    unknown = owed_callback(call("callback_requested", customer_id=None), AbandonRule(), None)
    assert unknown is not None and unknown.customer_id is None and unknown.triage is None
    withheld = owed_callback(call("callback_requested", caller=None), AbandonRule(), None)
    assert withheld is not None and withheld.triage is not None
    assert "withheld" in withheld.triage


def test_an_abandoned_known_caller_past_the_threshold_is_owed_one_only_when_on() -> None:
    owed = owed_callback(call("abandoned"), ON, None)
    assert owed is not None and owed.why == ABANDONED and owed.waited_s == 95.0
    assert owed_callback(call("abandoned"), AbandonRule(enabled=False), None) is None


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"wait_s": 30.0}, "a short abandon (not longer than the threshold)"),
        ({"wait_s": 4.0}, "a short abandon"),
        ({"caller": None}, "a withheld number"),
        ({"customer_id": None}, "a number no customer owns"),
        ({"queues": ()}, "never reached a queue"),
        ({"direction": "outbound"}, "our own call"),
    ],
)
def test_abandons_the_rule_excludes(changes: dict[str, object], why: str) -> None:
    assert owed_callback(call("abandoned", **changes), ON, None) is None, why


@pytest.mark.parametrize("outcome", ["answered", "timeout", "busy"])
def test_other_outcomes_are_owed_nothing(outcome: str) -> None:
    assert owed_callback(call(outcome), ON, None) is None


def test_the_queue_priority_is_the_routing_hooks() -> None:
    assert queue_priority({"CC_PRIORITY": "3"}) == 3
    assert queue_priority({"CC_PRIORITY": ""}) == 0
    assert queue_priority({"CC_PRIORITY": "high"}) == 0
    assert queue_priority(None) == 0
    with pytest.raises(ValueError, match="negative"):
        AbandonRule(min_wait_s=-1)


def _replay(path: Path) -> list[f.Fact]:
    clock = RecordedClock.from_jsonl(path.with_suffix(".jsonl").read_text("utf-8").splitlines())
    pipeline = AmiPipeline(pbx="pbx1", clock=clock)
    pipeline.feed_bytes(path.read_bytes(), chunk_size=4096)
    return pipeline.drain()


def test_a_recorded_queue_withdraw_caller_is_owed_a_callback_placed_at_its_queue_join() -> None:
    facts = _replay(TRACES / "features" / "queued_callback.ami")
    ended = [x for x in facts if isinstance(x, f.CallEnded) and x.record.direction == "inbound"]
    (withdrawn,) = ended
    (offered,) = [
        x for x in facts if isinstance(x, f.CallOffered) and x.linkedid == withdrawn.linkedid
    ]
    assert withdrawn.queued_at == offered.at  # QueueCallerJoin, not the call's start or end
    owed = owed_callback(withdrawn.record, AbandonRule(), withdrawn.queued_at)
    assert owed is not None
    assert (owed.why, owed.caller, owed.queue) == (WITHDRAWN, "+8613588889999", "member-hotline")
    assert owed.placed_at == datetime.fromtimestamp(offered.at, UTC)
    assert owed.placed_at < withdrawn.record.ended_at - timedelta(seconds=4)  # waited ~5 s


def test_the_first_answered_call_after_filing_of_the_same_caller_or_customer_reaches_it() -> None:
    """Figure: an item filed at 10:05 for +861 / customer 7; answered calls: +861 at 10:00
    (before: no), +862 at 10:20 (other), customer 7 from +863 at 10:30, +861 at 10:40 -> the
    10:30 call reaches it (the earliest after filing); an item of neither caller nor customer
    is reached by none."""

    def answered(linkedid: str, caller: str, minute: int, customer: int | None) -> CallRecord:
        at = START + timedelta(minutes=minute)
        return call(
            "answered", linkedid=linkedid, caller=caller, started_at=at, customer_id=customer
        )

    filed = START + timedelta(minutes=5)
    calls = [
        answered("4", "+861", 40, None),
        answered("1", "+861", 0, None),
        answered("2", "+862", 20, None),
        answered("3", "+863", 30, 7),
    ]
    assert [c.linkedid for c in filter(None, [reaching_call("+861", 7, filed, calls)])] == ["3"]
    assert [c.linkedid for c in filter(None, [reaching_call("+861", None, filed, calls)])] == ["4"]
    assert reaching_call(None, None, filed, calls) is None
    assert reaching_call("+864", 8, filed, calls) is None
