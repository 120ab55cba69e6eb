"""The journaller writes only the calls events reached, and misses none that changed.

Every recorded trace (both sets) is played one AMI message at a time with a journal flush after
each: after every flush the journal holds exactly the snapshot of every live call, as a pass
over all of them would have written it; an untouched call is not snapshotted again.
"""

from __future__ import annotations

import pytest
from test_call_journal import _messages

from callcenter.adapters.ami.pipeline import AmiPipeline
from callcenter.domain.calls.journal import snapshot
from callcenter.services.call_journal import CallJournaller
from fakes import FakeLiveCallJournal
from support import TRACES

NAMES = sorted(
    [p.stem for p in TRACES.glob("*.ami")]
    + [f"features/{p.stem}" for p in TRACES.glob("features/*.ami")]
)


class _Done:
    """A call store that has written everything at once."""

    submitted = 0
    completed = 0


@pytest.mark.parametrize("name", NAMES)
async def test_after_every_message_the_journal_holds_every_live_call_as_it_is(name: str) -> None:
    messages = _messages(name)
    pipeline = AmiPipeline(pbx="pbx1")
    journal = FakeLiveCallJournal()
    journaller = CallJournaller(journal=journal, trackers={"pbx1": pipeline.tracker}, store=_Done())
    for i, (message, at) in enumerate(messages):
        pipeline.handle(message, pbx="pbx1", at=at)
        await journaller.flush()
        expected = {(c.pbx, c.linkedid): snapshot(c) for c in pipeline.tracker.live("pbx1")}
        assert journal.rows == expected, f"after message {i} ({message.get('Event')})"


async def test_a_call_no_event_reached_is_not_snapshotted_again() -> None:
    messages = _messages("answered_caller_hangs_up")
    pipeline = AmiPipeline(pbx="pbx1")
    for message, at in messages[: len(messages) // 2]:
        pipeline.handle(message, pbx="pbx1", at=at)
    assert pipeline.tracker.changed("pbx1"), "the calls the events reached"
    assert pipeline.tracker.changed("pbx1") == [], "taken: none reached since"
    assert len(pipeline.tracker.live("pbx1")) == 1, "reading the live calls notes none"
    assert pipeline.tracker.changed("pbx1") == []
