"""The journaller: coalesced writes, a row kept until its call's record is written, restores."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from callcenter.domain.calls import CallTracker
from callcenter.domain.calls.livecall import LiveCall
from callcenter.services.call_journal import CallJournaller
from fakes import FakeLiveCallJournal


@dataclass
class Progress:
    submitted: int = 0
    completed: int = 0


class Tracker(CallTracker):
    def add(self, linkedid: str) -> LiveCall:
        call = self._call("pbx1", linkedid, 1_800_000_000.0)
        call.queues.append("member-hotline")
        return call

    def end(self, linkedid: str) -> None:
        del self._calls[("pbx1", linkedid)]


def _journaller(journal: FakeLiveCallJournal, tracker: Tracker, store: Progress) -> CallJournaller:
    return CallJournaller(journal=journal, trackers={"pbx1": tracker}, store=store)


async def test_a_row_stays_until_the_calls_record_is_written() -> None:
    journal, tracker, store = FakeLiveCallJournal(), Tracker(), Progress()
    journaller = _journaller(journal, tracker, store)
    tracker.add("a")
    await journaller.flush()
    assert set(journal.rows) == {("pbx1", "a")}
    await journaller.flush()
    assert journal.saves == 1, "an unchanged call is not written again"
    tracker.end("a")
    store.submitted = 1  # its record waits in the store
    await journaller.flush()
    assert set(journal.rows) == {("pbx1", "a")}
    store.completed = 1
    await journaller.flush()
    assert journal.rows == {}


async def test_a_call_that_ended_while_writes_failed_is_written_until_stored() -> None:
    journal, tracker, store = FakeLiveCallJournal(), Tracker(), Progress()
    journaller = _journaller(journal, tracker, store)
    tracker.add("b")
    journal.failing = True
    with pytest.raises(ConnectionError):
        await journaller.flush()
    tracker.end("b")
    store.submitted = 1
    journal.failing = False
    await journaller.flush()
    assert set(journal.rows) == {("pbx1", "b")}, "its record is only in memory: keep the call"
    store.completed = 1
    await journaller.flush()
    assert journal.rows == {}


async def test_restored_calls_go_back_into_the_tracker_and_bad_rows_are_counted() -> None:
    journal, tracker, store = FakeLiveCallJournal(), Tracker(), Progress()
    first = _journaller(journal, tracker, store)
    tracker.add("c").ring_attempts = 2
    await first.flush()
    journal.rows[("pbx1", "junk")] = {"v": 1}
    again = Tracker()
    second = _journaller(journal, again, Progress())
    assert await second.restore("pbx1") == 1
    (call,) = again.live("pbx1")
    assert (call.linkedid, call.ring_attempts, call.queues) == ("c", 2, ["member-hotline"])
    assert second.stats.unreadable == 1
    await second.flush()
    assert set(journal.rows) == {("pbx1", "c")}, "the unreadable row is dropped once logged"
