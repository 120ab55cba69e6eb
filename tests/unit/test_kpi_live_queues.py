"""The live queues answer "is anyone waiting?" the same way the waiting-callers list does."""

from __future__ import annotations

from callcenter.domain.calls.facts import CallAnswered, CallOffered
from callcenter.domain.kpi.floor import LiveQueues


def test_anyone_waiting_follows_offered_and_answered_calls() -> None:
    live = LiveQueues()
    assert not live.anyone_waiting()
    live.apply(CallOffered("pbx1", 100.0, "1.1", "q-hotline", "+4930123", "Li Wei"))
    live.apply(CallOffered("pbx1", 101.0, "1.2", "q-finance", None, None))
    assert live.anyone_waiting()
    assert len(live.waiting_callers((), 102.0)) == 2

    live.apply(CallAnswered("pbx1", 103.0, "1.1", "1001", "Local/1001@agents", "q-hotline", 3.0))
    assert live.anyone_waiting()
    live.apply(CallAnswered("pbx1", 104.0, "1.2", "1002", "Local/1002@agents", "q-finance", 3.0))
    assert not live.anyone_waiting()
    assert live.waiting_callers((), 105.0) == []
