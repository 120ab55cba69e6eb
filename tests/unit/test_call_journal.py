"""Live calls journalled and restored: a process that takes over mid-call finishes every call as
the first process would have, and the calls gone meanwhile are stored as ended during the outage."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest

from callcenter.adapters.ami.pipeline import AmiPipeline, StreamClock
from callcenter.domain.calls import CallTracker
from callcenter.domain.calls import facts as f
from callcenter.domain.calls.journal import SnapshotError, restore, snapshot
from callcenter.domain.calls.records import CallRecord
from support import TRACES

TRACE_NAMES = sorted(p.stem for p in TRACES.glob("*.ami"))


class _Recorder(AmiPipeline):
    """Notes each message with its time instead of handling it."""

    def __init__(self) -> None:
        super().__init__(pbx="pbx1", clock=StreamClock())
        self.seen: list[tuple[Mapping[str, str], float]] = []

    def handle(self, message: Mapping[str, str], *, pbx: str, at: float) -> None:
        self.seen.append((dict(message), at))


def _messages(name: str) -> list[tuple[Mapping[str, str], float]]:
    recorder = _Recorder()
    recorder.feed_bytes((TRACES / f"{name}.ami").read_bytes())
    return recorder.seen


def _records(facts: list[f.Fact]) -> list[CallRecord]:
    return [x.record for x in facts if isinstance(x, f.CallEnded)]


def _journalled(tracker: CallTracker) -> list[dict[str, Any]]:
    """What the journal would hold: the snapshots, through JSON as the database keeps them."""
    return [json.loads(json.dumps(snapshot(call))) for call in tracker.live("pbx1")]


@pytest.mark.parametrize("name", TRACE_NAMES)
def test_a_call_taken_over_mid_trace_ends_as_if_nothing_happened(name: str) -> None:
    messages = _messages(name)
    whole = AmiPipeline(pbx="pbx1")
    for message, at in messages:
        whole.handle(message, pbx="pbx1", at=at)
    expected = _records(whole.drain())
    cuts = sorted({len(messages) * k // 6 for k in range(1, 6)})
    for cut in cuts:
        before = AmiPipeline(pbx="pbx1")
        for message, at in messages[:cut]:
            before.handle(message, pbx="pbx1", at=at)
        after = AmiPipeline(pbx="pbx1")
        for message, at in messages[:cut]:  # members come back with a resync's QueueStatus
            if message.get("Event", "").startswith("QueueMember"):
                after.handle(message, pbx="pbx1", at=at)
        after.drain()
        after.tracker.restore([restore(data) for data in _journalled(before.tracker)])
        for message, at in messages[cut:]:
            after.handle(message, pbx="pbx1", at=at)
        got = _records(before.drain()) + _records(after.drain())
        assert got == expected, f"cut after message {cut}"


def test_calls_gone_at_the_resync_are_stored_as_ended_during_the_outage() -> None:
    messages = _messages("answered_caller_hangs_up")
    before = AmiPipeline(pbx="pbx1")
    for message, at in messages[: len(messages) // 2]:
        before.handle(message, pbx="pbx1", at=at)
    journal = _journalled(before.tracker)
    assert journal, "a call is live half-way through the trace"
    after = AmiPipeline(pbx="pbx1")
    after.tracker.restore([restore(data) for data in journal])
    last_seen = messages[len(messages) // 2][1]
    after.resync([], pbx="pbx1", at=last_seen + 30)  # Asterisk has no call any more
    (record,) = _records(after.drain())
    assert record.ended_during_outage
    assert record.queues == ("member-hotline",)
    assert record.caller == "+8613800138000"
    assert record.ended_at.timestamp() == pytest.approx(last_seen + 30)
    assert after.tracker.live("pbx1") == []


def test_a_call_known_only_by_its_first_channel_is_stored_not_dropped() -> None:
    """Its context told nothing yet (no queue, no known path): still stored, as inbound."""
    messages = _messages("answered_caller_hangs_up")
    before = AmiPipeline(pbx="pbx1")
    for message, at in messages:
        before.handle(message, pbx="pbx1", at=at)
        if before.tracker.live("pbx1"):
            break
    (call,) = before.tracker.live("pbx1")
    call.path = None  # as when the first channel's context is not one the tracker knows
    assert not call.queues
    after = AmiPipeline(pbx="pbx1")
    after.tracker.restore([restore(data) for data in _journalled(before.tracker)])
    after.resync([], pbx="pbx1", at=at + 5)
    (record,) = _records(after.drain())
    assert record.ended_during_outage
    assert record.direction == "inbound"
    assert record.queues == ()


def test_a_restored_call_the_tracker_knows_already_is_not_taken_twice() -> None:
    messages = _messages("answered_caller_hangs_up")
    tracker = AmiPipeline(pbx="pbx1")
    for message, at in messages[: len(messages) // 2]:
        tracker.handle(message, pbx="pbx1", at=at)
    journal = [restore(data) for data in _journalled(tracker.tracker)]
    assert tracker.tracker.restore(journal) == 0


@pytest.mark.parametrize(
    "data", [{}, {"v": 99}, {"v": 1, "pbx": "pbx1"}, {"v": 1, "pbx": "", "linkedid": "x"}]
)
def test_an_unreadable_snapshot_is_a_clear_error(data: dict[str, Any]) -> None:
    with pytest.raises(SnapshotError):
        restore(data)


def test_a_call_begun_while_the_resync_lists_were_fetched_is_not_closed() -> None:
    """Its events are queued ahead of the lists, which Asterisk may have made before it began."""
    messages = _messages("answered_caller_hangs_up")
    pipeline = AmiPipeline(pbx="pbx1")
    pipeline.connection_changed(pbx="pbx1", connected=True, at=messages[0][1])
    for message, at in messages[: len(messages) // 2]:
        pipeline.handle(message, pbx="pbx1", at=at)
    assert pipeline.tracker.live("pbx1")
    pipeline.resync([], pbx="pbx1", at=messages[len(messages) // 2][1])
    assert pipeline.tracker.live("pbx1"), "closed as if it had ended"
    for message, at in messages[len(messages) // 2 :]:
        pipeline.handle(message, pbx="pbx1", at=at)
    (record,) = _records(pipeline.drain())
    assert not record.ended_during_outage
    assert record.outcome == "answered"
