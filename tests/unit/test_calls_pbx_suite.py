"""Calls the real-PBX suite (tests/pbx) saw on a real Asterisk, replayed through the tracker.

The fixtures are the suite driver's own AMI events (`<test>.events.jsonl`), one message a line.
"""

from __future__ import annotations

import json

from callcenter.adapters.ami.pipeline import AmiPipeline
from callcenter.domain.calls import facts as f
from callcenter.domain.calls.records import CallRecord
from callcenter.seeding.known import KNOWN_AGENTS
from support import FIXTURES

SUITE = FIXTURES / "pbx-suite"
NAMES = {a.code: a.name for a in KNOWN_AGENTS}  # the names the suite seeds and logs in


def replay_events(name: str) -> list[f.Fact]:
    """Every fact of one scenario's recorded events, fed as the live listener feeds them."""
    pipeline = AmiPipeline(pbx="pbx1")
    for line in (SUITE / f"{name}.events.jsonl").read_text("utf-8").splitlines():
        if line.strip():
            pipeline.feed_message(json.loads(line))
    return pipeline.drain()


def records(facts: list[f.Fact]) -> list[CallRecord]:
    return [x.record for x in facts if isinstance(x, f.CallEnded)]


def only_call(name: str) -> tuple[CallRecord, list[f.Fact]]:
    facts = replay_events(name)
    (record,) = records(facts)
    return record, facts


def test_click_to_dial_answered_keeps_the_dialled_customer_not_the_agents_own_phone() -> None:
    # [agent-phone] Dials the agent's device first: that DialBegin is not the customer's line.
    record, facts = only_call("click_to_dial_answered")
    assert record.direction == "outbound"
    assert record.outcome == "answered"
    assert record.caller == "+8613812340001"
    assert record.agent == NAMES["1006"]
    assert [leg.queue for leg in record.legs] == [None]
    # the customer picked up ~1 s after the agent, so the talk is the customer's, not the agent's
    assert record.talk_s >= 4
    assert not [x for x in facts if isinstance(x, f.RingStarted)]


def test_click_to_dial_to_a_busy_line_is_busy_although_the_agents_phone_answered() -> None:
    record, _ = only_call("click_to_dial_busy")
    assert record.direction == "outbound"
    assert record.outcome == "busy"
    assert record.caller == "+8613812340002"
    assert record.talk_s == 0
    assert record.legs == ()
