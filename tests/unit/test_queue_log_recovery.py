"""Calls known only from the queue_log become records marked ended during an outage."""

from __future__ import annotations

from pathlib import Path

from callcenter.adapters.queue_log_file import read_recent
from callcenter.domain.reconcile.queue_log import QueueLogFold
from callcenter.domain.reconcile.recovery import recovered_record, unseen_calls

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
