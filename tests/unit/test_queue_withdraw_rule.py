"""Keep my place, taken by the backend: whom the rule withdraws, and when (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

from callcenter.adapters.ami.actions import queue_withdraw_caller
from callcenter.domain.calls.facts import (
    CallAbandoned,
    CallAnswered,
    CallEnded,
    CallOffered,
    CallOverflowed,
)
from callcenter.domain.calls.records import CallRecord
from callcenter.domain.queue_withdraw import WaitingCallers, WithdrawRule

LI_WEI = "+8613800138000"


def offered(
    linkedid: str, at: float, queue: str = "member-hotline", caller: str | None = LI_WEI
) -> CallOffered:
    return CallOffered(
        "pbx1", at, linkedid, queue, caller, None, channel=f"Local/s@caller-{linkedid};1"
    )


def ended(linkedid: str, at: float) -> CallEnded:
    record = CallRecord(
        pbx="pbx1",
        linkedid=linkedid,
        direction="inbound",
        caller=LI_WEI,
        caller_name=None,
        queues=("member-hotline",),
        agent=None,
        outcome="callback_requested",
        wait_s=0.0,
        talk_s=0.0,
        ring_attempts=0,
        transferred=False,
        started_at=datetime.fromtimestamp(at - 60, UTC),
        ended_at=datetime.fromtimestamp(at, UTC),
    )
    return CallEnded("pbx1", at, linkedid, record, None, None)


def test_off_by_default_and_due_only_past_the_wait() -> None:
    callers = WaitingCallers()
    callers.apply(offered("a", 100.0))
    assert callers.due(WithdrawRule(), 10_000.0) == []
    rule = WithdrawRule(after_s=60)
    assert callers.due(rule, 159.9) == []
    (due,) = callers.due(rule, 160.0)
    assert (due.queue, due.channel, due.caller) == ("member-hotline", "Local/s@caller-a;1", LI_WEI)


def test_withheld_callers_and_other_queues_are_left_alone() -> None:
    callers = WaitingCallers()
    callers.apply(offered("hidden", 100.0, caller=None))
    callers.apply(offered("fin", 100.0, queue="finance"))
    callers.apply(offered("hot", 100.0))
    assert [c.linkedid for c in callers.due(WithdrawRule(after_s=10), 200.0)] == ["fin", "hot"]
    only_finance = WithdrawRule(after_s=10, queues=frozenset({"finance"}))
    assert [c.linkedid for c in callers.due(only_finance, 200.0)] == ["fin"]


def test_longest_waiting_first_and_an_overflow_keeps_the_first_join_time() -> None:
    callers = WaitingCallers()
    callers.apply(offered("late", 150.0))
    callers.apply(offered("early", 100.0))
    callers.apply(CallOverflowed("pbx1", 130.0, "early", "member-hotline", "online-service"))
    callers.apply(offered("early", 130.0, queue="online-service"))
    due = callers.due(WithdrawRule(after_s=60), 160.0)
    assert [(c.linkedid, c.queue, c.since) for c in due] == [("early", "online-service", 100.0)]


def test_once_per_call_and_not_after_the_caller_left_the_queue() -> None:
    callers = WaitingCallers()
    rule = WithdrawRule(after_s=10)
    callers.apply(offered("a", 100.0))
    callers.apply(offered("b", 100.0))
    callers.apply(offered("c", 100.0))
    callers.apply(CallAnswered("pbx1", 105.0, "b", "1001", "Local/1001@agents/n", "q", 5.0))
    callers.apply(CallAbandoned("pbx1", 106.0, "c", "member-hotline", 6.0))
    (due,) = callers.due(rule, 200.0)
    assert due.linkedid == "a"
    assert [c.linkedid for c in callers.due(rule, 201.0)] == ["a"]  # not sent yet: asked again
    callers.done(due)
    assert callers.due(rule, 202.0) == []
    callers.apply(ended("a", 203.0))
    callers.apply(offered("a", 300.0))  # a linkedid seen again is a new wait (a new day's id)
    assert [c.linkedid for c in callers.due(rule, 311.0)] == ["a"]


def test_the_ami_action_names_queue_channel_and_info() -> None:
    action = queue_withdraw_caller(
        queue="member-hotline", channel="PJSIP/trunk-0001\r\nAction: Hangup", info="callback"
    )
    assert action["Action"] == "QueueWithdrawCaller"
    assert action["Queue"] == "member-hotline"
    assert "\n" not in action["Caller"] and "\r" not in action["Caller"]  # no injected action
    assert action["WithdrawInfo"] == "callback"
