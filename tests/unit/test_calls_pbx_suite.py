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


def _facts_of(facts: list[f.Fact], kind: type[f.Fact]) -> list[f.Fact]:
    return [x for x in facts if isinstance(x, kind)]


def test_a_carrier_did_call_keeps_the_originated_callers_number() -> None:
    record, facts = only_call("did_8002_online_service")
    assert (record.direction, record.outcome) == ("inbound", "answered")
    assert record.caller == "+8613000000102"
    assert record.queues == ("online-service",)
    (ring,) = _facts_of(facts, f.RingStarted)
    assert isinstance(ring, f.RingStarted) and ring.caller == "+8613000000102"
    assert ring.agent == record.agent == NAMES["1004"]


def test_a_preferred_agent_rung_directly_gets_the_pop_and_an_inbound_leg_without_queue() -> None:
    record, facts = only_call("preferred_agent_answers")
    (ring,) = _facts_of(facts, f.RingStarted)
    assert isinstance(ring, f.RingStarted)
    assert (ring.agent, ring.queue, ring.caller) == (NAMES["1002"], "", "+8613912345678")
    assert (record.direction, record.outcome, record.agent) == (
        "inbound",
        "answered",
        NAMES["1002"],
    )
    assert record.caller == "+8613912345678" and record.queues == ()
    assert [(leg.agent, leg.queue) for leg in record.legs] == [(NAMES["1002"], None)]
    assert record.ring_attempts == 1 and record.talk_s >= 3


def test_a_preferred_agent_who_does_not_answer_hands_the_call_to_the_queue() -> None:
    record, facts = only_call("preferred_agent_no_answer_then_queue")
    rings = [x.agent for x in facts if isinstance(x, f.RingStarted)]
    assert rings == [NAMES["1002"], NAMES["1001"]]
    assert (record.outcome, record.agent, record.queues) == (
        "answered",
        NAMES["1001"],
        ("member-hotline",),
    )
    assert [(leg.agent, leg.queue) for leg in record.legs] == [(NAMES["1001"], "member-hotline")]
    assert record.ring_attempts == 2


def test_a_caller_withdrawn_from_the_queue_is_a_callback_request() -> None:
    record, _ = only_call("withdrawn_for_callback")
    assert (record.direction, record.outcome) == ("inbound", "callback_requested")
    assert record.caller == "+8613000000107" and record.agent is None
    assert record.queues == ("member-hotline",)


def test_a_customer_first_call_answered_by_a_machine_is_machine() -> None:
    record, _ = only_call("customer_first_machine")
    assert (record.direction, record.outcome, record.amd) == ("outbound", "machine", "MACHINE")
    assert record.caller == "+8613912340009" and record.agent is None and record.legs == ()


def test_a_rest_transfer_tells_the_first_desk_and_keeps_both_legs() -> None:
    record, facts = only_call("rest_transfer_redirect")
    (left,) = _facts_of(facts, f.CallLeftAgent)
    assert isinstance(left, f.CallLeftAgent)
    assert (left.agent, left.reason) == (NAMES["1001"], "transferred")
    assert record.transferred and record.outcome == "answered" and record.agent == NAMES["1009"]
    assert [(leg.agent, leg.queue) for leg in record.legs] == [
        (NAMES["1001"], "member-hotline"),
        (NAMES["1009"], "finance"),
    ]
    assert record.legs[0].talk_s >= 1.5 and record.legs[1].talk_s >= 3


def test_an_attended_transfer_keeps_the_caller_and_both_legs() -> None:
    record, facts = only_call("attended_transfer")
    assert record.caller == "+8613000000104"
    assert record.transferred and record.agent == NAMES["1009"]
    assert record.queues == ("member-hotline", "finance")
    assert [leg.agent for leg in record.legs] == [NAMES["1001"], NAMES["1009"]]
    (left,) = _facts_of(facts, f.CallLeftAgent)
    assert isinstance(left, f.CallLeftAgent) and left.agent == NAMES["1001"]


def test_a_supervisor_listening_in_counts_on_the_call_and_is_no_call_itself() -> None:
    facts = replay_events("supervisor_listens")
    (record,) = records(facts)  # the supervisor's own Local pair is stored as nothing
    assert record.monitored == 1
    assert (record.direction, record.outcome, record.agent) == (
        "inbound",
        "answered",
        NAMES["1001"],
    )
    assert record.caller == "+8613000000105" and not record.transferred
    assert [(leg.agent, leg.queue) for leg in record.legs] == [(NAMES["1001"], "member-hotline")]
