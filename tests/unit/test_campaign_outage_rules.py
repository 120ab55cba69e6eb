"""Dials in the air across an AMI cut: which still run, how the gone ones settle (pure rules),
and a campaign's calls reconciled from what the PBX lists after the reconnect."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from callcenter.adapters.ami.actions import CUSTOMER_DIAL_CONTEXT, customer_dial_of
from callcenter.domain.campaigns.outage import LastSeen, live_call_of, settle_unseen
from callcenter.domain.campaigns.records import ListRecord
from callcenter.ports.pbx import PbxSnapshot
from callcenter.services.campaign_calls import Attempt, CampaignCalls
from callcenter.services.dial_targets import dial_string

TRACE = Path(__file__).parents[1] / "fixtures/ami-traces/features/outbound_outcomes.jsonl"


@pytest.mark.parametrize(
    ("last", "outcome"),
    [
        (LastSeen(), "no_answer"),  # nothing heard: retried, no abandon
        (LastSeen(failure="failed"), "no_answer"),  # an unknown end is not a dead number
        (LastSeen(failure="busy"), "busy"),
        (LastSeen(failure="congestion"), "congestion"),
        (LastSeen(machine=True), "machine"),
        (LastSeen(answered=True), "dropped"),  # a live answer no agent was seen to take
        (LastSeen(answered=True, connected=True), "connected"),
        (LastSeen(connected=True, failure="failed"), "connected"),
    ],
)
def test_a_dial_gone_during_the_outage_settles_by_what_was_last_known(
    last: LastSeen, outcome: str
) -> None:
    assert settle_unseen(last) == outcome


def test_a_dial_is_still_up_by_its_call_id_or_its_customer_leg() -> None:
    live = frozenset({"111.1"})
    dials = {"013900000001": "222.5"}
    assert (
        live_call_of(linkedid="111.1", dialled="x", live_linkedids=live, live_dials={}) == "111.1"
    )
    assert (
        live_call_of(linkedid=None, dialled="013900000001", live_linkedids=live, live_dials=dials)
        == "222.5"
    )
    assert (
        live_call_of(linkedid="9.9", dialled="0139", live_linkedids=live, live_dials=dials) is None
    )


def test_customer_legs_are_known_by_the_local_channel_names_asterisk_gives() -> None:
    """The recorded customer-first Originates (Local/NUMBER@pstn-sim/n) and the Local pairs
    Asterisk made for them; in our dialplan the context is cc-dial-out."""
    sent, seen = set(), set()
    for line in TRACE.read_text().splitlines():
        row = json.loads(line)
        if row.get("sent", {}).get("Context") == "outbound-connect":
            sent.add(row["sent"]["Channel"].removeprefix("Local/").partition("@")[0])
        channel = row.get("msg", {}).get("Channel", "")
        if "@pstn-sim-" in channel:
            seen.add(channel.replace("@pstn-sim-", f"@{CUSTOMER_DIAL_CONTEXT}-"))
    dials = {customer_dial_of(c) for c in seen}
    assert sent and sent <= dials
    assert customer_dial_of("Local/1006@agent-phone-00000000;1") is None
    assert customer_dial_of(f"Local/0139@{CUSTOMER_DIAL_CONTEXT}/n") is None  # a dial string


def _calls(now: list[float]) -> CampaignCalls:
    calls = CampaignCalls(queue="telemarketing", region="CN", clock=lambda: now[0])
    for i, number in enumerate(("+8613900000001", "+8613900000002", "+8613900000003")):
        record = ListRecord(i + 1, 1, number, status="dialing", attempts=1)
        calls.by_number[number] = Attempt(i + 1, record, dialled_at=0.0)
    return calls


def test_after_a_resync_gone_dials_end_at_once_and_listed_ones_go_on() -> None:
    """Figure: 3 dials in the air at the cut (one talking to an agent, two ringing), one dialled
    after the login; the PBX lists the talking one by call id and one ringing one by its leg
    -> only the third ringing one ends, as no_answer, at the resync's time, no abandon."""
    now = [10.0]
    calls = _calls(now)
    talking = calls.by_number["+8613900000001"]
    talking.linkedid, talking.answered_at, talking.connected_at = "100.1", 4.0, 5.0
    calls.by_linkedid["100.1"] = "+8613900000001"
    calls.connection_lost()
    later = ListRecord(9, 1, "+8613900000009", status="dialing", attempts=1)
    calls.by_number[later.number] = Attempt(9, later, dialled_at=12.0)  # after the login
    now[0] = 40.0
    snapshot = PbxSnapshot(
        "pbx1", frozenset({"100.1", "200.1"}), {dial_string("+8613900000002", "CN"): "200.1"}
    )
    assert calls.reconcile(snapshot) == 1
    assert set(calls.by_number) == {"+8613900000001", "+8613900000002", "+8613900000009"}
    assert calls.by_linkedid["200.1"] == "+8613900000002"  # its end is heard by that id
    [(attempt, outcome, at)] = calls.ended
    assert (attempt.record.number, outcome, at) == ("+8613900000003", "no_answer", 40.0)
    assert calls.counts.abandoned == 0 and calls.counts.answered == 0
    assert calls.reconcile(PbxSnapshot("pbx1", frozenset(), {})) == 0  # only the cut's dials
