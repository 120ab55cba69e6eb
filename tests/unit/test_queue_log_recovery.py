"""Calls known only from the queue_log become records marked ended during an outage."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from callcenter.adapters.queue_log_file import read_recent
from callcenter.domain.calls.records import CallLeg, CallRecord
from callcenter.domain.reconcile.queue_log import QueueLogFold
from callcenter.domain.reconcile.recovery import corrected_record, recovered_record, unseen_calls

TRACES = Path(__file__).parent.parent / "fixtures" / "ami-traces"


def _calls(name: str) -> list:  # type: ignore[type-arg]
    text = (TRACES / name).read_text()
    return QueueLogFold().feed_all(text.splitlines()).calls()


def test_an_answered_call_after_a_ring_no_answer_is_read_back_with_what_the_log_knows() -> None:
    calls = _calls("ring_no_answer_next_agent.queue_log")
    [call] = unseen_calls(calls, set(), since=0)
    record = recovered_record("pbx1", call, "CN")
    assert record.linkedid == "1795343875.0"
    assert record.ended_during_outage
    assert record.caller == "+8613912345678"
    assert (record.queues, record.agent, record.outcome) == (
        ("member-hotline",),
        "Zhang Wei",
        "answered",
    )
    assert (record.wait_s, record.talk_s, record.ring_attempts) == (19.0, 7.0, 2)
    assert [(leg.agent, leg.queue, leg.talk_s) for leg in record.legs] == [
        ("Zhang Wei", "member-hotline", 7.0)
    ]


def test_known_partial_and_unfinished_calls_are_left_alone() -> None:
    calls = _calls("ring_no_answer_next_agent.queue_log")
    assert unseen_calls(calls, {"1795343875.0"}, since=0) == []  # stored or live already
    assert unseen_calls(calls, set(), since=1795343876) == []  # entered before the window
    lines = (TRACES / "ring_no_answer_next_agent.queue_log").read_text().splitlines()
    unfinished = QueueLogFold().feed_all(lines[:-1]).calls()
    assert unseen_calls(unfinished, set(), since=0) == []  # still talking
    partial = QueueLogFold().feed_all(lines[3:]).calls()
    assert unseen_calls(partial, set(), since=0) == []  # began before the log's first line


def test_the_tail_of_the_file_is_read_by_the_logs_own_clock(tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_text("".join(f"{1000 + i}|c{i}|q|NONE|ENTERQUEUE||+86139|1\n" for i in range(100)))
    recent = read_recent(log, 9)
    assert [line.split("|")[1] for line in recent] == [f"c{i}" for i in range(90, 100)]
    assert len(read_recent(log, 9, max_bytes=200)) <= 10  # only the end is read


def _left_at_the_cut(**changes: object) -> CallRecord:
    """What the tracker stored for the ring_no_answer call when an AMI cut hid its answer: it
    was ringing Zhang Wei and was gone at the resync (caller name and customer known)."""
    record = CallRecord(
        pbx="pbx1",
        linkedid="1795343875.0",
        direction="inbound",
        caller="+8613912345678",
        caller_name="Chen Jing",
        queues=("member-hotline",),
        agent=None,
        outcome="abandoned",
        wait_s=16.2,
        talk_s=0.0,
        ring_attempts=2,
        transferred=False,
        started_at=datetime.fromtimestamp(1795343874.6, UTC),
        ended_at=datetime.fromtimestamp(1795343899.4, UTC),
        customer_id=7,
        ended_during_outage=True,
    )
    return replace(record, **changes)  # type: ignore[arg-type]


def test_a_call_answered_inside_an_outage_is_set_right_from_the_log() -> None:
    [call] = _calls("ring_no_answer_next_agent.queue_log")
    fixed = corrected_record(_left_at_the_cut(), call, "CN")
    assert fixed is not None
    assert (fixed.outcome, fixed.agent, fixed.wait_s, fixed.talk_s) == (
        "answered",
        "Zhang Wei",
        19.0,
        7.0,
    )
    assert [(leg.agent, leg.talk_s) for leg in fixed.legs] == [("Zhang Wei", 7.0)]
    assert fixed.answered_at is not None and fixed.ended_at >= fixed.answered_at
    # what only the tracker knew stays, and it is still marked as ended unseen
    assert (fixed.caller_name, fixed.customer_id, fixed.ended_during_outage) == (
        "Chen Jing",
        7,
        True,
    )
    assert corrected_record(fixed, call, "CN") is None  # set right once: nothing more to do


@pytest.mark.parametrize(
    "stored",
    [
        _left_at_the_cut(ended_during_outage=False),  # seen to its end: the tracker's word holds
        _left_at_the_cut(linkedid="1795343875.9"),  # another call
    ],
)
def test_a_record_seen_to_its_end_or_of_another_call_is_not_touched(stored: CallRecord) -> None:
    [call] = _calls("ring_no_answer_next_agent.queue_log")
    assert corrected_record(stored, call, "CN") is None


def test_a_call_the_log_has_only_in_part_is_not_guessed_at() -> None:
    lines = (TRACES / "ring_no_answer_next_agent.queue_log").read_text().splitlines()
    [unfinished] = QueueLogFold().feed_all(lines[:-1]).calls()
    assert corrected_record(_left_at_the_cut(), unfinished, "CN") is None


def test_a_call_seen_answered_keeps_its_figures_unless_its_talk_went_on_unseen() -> None:
    """Seen answered by Zhang Wei before the cut: the tracker's finer wait stands; a talk the
    cut hid (0.5 s known, 7 s logged) is taken from the log."""
    [call] = _calls("ring_no_answer_next_agent.queue_log")
    leg = CallLeg("Zhang Wei", "member-hotline", 6.6)
    seen = _left_at_the_cut(outcome="answered", agent="Zhang Wei", wait_s=19.4, talk_s=6.6)
    assert corrected_record(replace(seen, legs=(leg,)), call, "CN") is None
    cut_short = replace(seen, talk_s=0.5, legs=(replace(leg, talk_s=0.5),))
    fixed = corrected_record(cut_short, call, "CN")
    assert fixed is not None
    assert (fixed.wait_s, fixed.talk_s, [g.talk_s for g in fixed.legs]) == (19.4, 7.0, [7.0])
