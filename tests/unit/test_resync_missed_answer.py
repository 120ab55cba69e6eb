"""A call answered while the AMI connection was down: the reconnect's CoreShowChannels list shows
it bridged, and it is stored as answered by that agent, not as abandoned.

The stream is the real answered_caller_hangs_up trace with its AgentConnect and BridgeEnter
events lost to a cut; the list is what Asterisk gives for that moment (the agent_state_changes
trace's CoreShowChannel items have the same fields)."""

from __future__ import annotations

import json
from typing import Any

from callcenter.adapters.ami.pipeline import AmiPipeline
from callcenter.domain.calls import facts as f
from callcenter.domain.calls.records import CallRecord
from support import TRACES

BRIDGE = "1e1a441c-4595-40ce-ba83-ccc43a04bcc6"


def _rows() -> tuple[float, list[tuple[float, dict[str, str]]]]:
    path = TRACES / "answered_caller_hangs_up.jsonl"
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    msgs = [(r["t"], r["msg"]) for r in rows if "Event" in r.get("msg", {})]
    first = next(m for _, m in msgs if "Uniqueid" in m)
    base = float(first["Uniqueid"].split(".")[0]) - 3.0
    return base, msgs


def _channel(channel: str, uniqueid: str, app: str, data: str, *, bridged: bool) -> dict[str, str]:
    agent = channel.startswith("Local/1001")
    return {
        "Event": "CoreShowChannel",
        "ActionID": "cc-2",
        "Channel": channel,
        "ChannelState": "6",
        "ChannelStateDesc": "Up",
        "CallerIDNum": "+8613800138000",
        "CallerIDName": "Li Wei",
        "ConnectedLineNum": "+8613800138000",
        "ConnectedLineName": "Li Wei",
        "Language": "en",
        "AccountCode": "",
        "Context": "agents" if agent else "inbound",
        "Exten": "8001",
        "Priority": "1",
        "Uniqueid": uniqueid,
        "Linkedid": "1795343813.0",
        "Application": app,
        "ApplicationData": data,
        "Duration": "00:00:04",
        "BridgeId": BRIDGE if bridged else "",
    }


def _listing(*, bridged: bool) -> list[dict[str, Any]]:
    caller = "Local/s@caller-sim-00000000"
    agent = "Local/1001@agents-00000001"
    return [
        _channel(f"{caller};1", "1795343813.0", "Queue", "member-hotline,,,,600", bridged=bridged),
        _channel(f"{caller};2", "1795343813.1", "Wait", "300", bridged=False),
        _channel(f"{agent};1", "1795343813.2", "AppQueue", "(Outgoing Line)", bridged=bridged),
        _channel(f"{agent};2", "1795343813.3", "Wait", "300", bridged=False),
    ]


def _stored(*, cut_at: float, back_at: float, bridged: bool) -> CallRecord:
    base, msgs = _rows()
    pipeline = AmiPipeline(pbx="pbx1")
    pipeline.connection_changed(pbx="pbx1", connected=True, at=base)
    for t, message in msgs:
        if t <= cut_at:
            pipeline.handle(message, pbx="pbx1", at=base + t)
    pipeline.connection_changed(pbx="pbx1", connected=False, at=base + cut_at)
    pipeline.connection_changed(pbx="pbx1", connected=True, at=base + back_at)
    pipeline.resync(_listing(bridged=bridged), pbx="pbx1", at=base + back_at)
    for t, message in msgs:
        if t > back_at:
            pipeline.handle(message, pbx="pbx1", at=base + t)
    (record,) = [x.record for x in pipeline.drain() if isinstance(x, f.CallEnded)]
    return record


def test_a_ringing_call_answered_during_the_cut_is_stored_answered_by_its_agent() -> None:
    # cut just after AgentCalled (3.009 s); back at 7 s, after AgentConnect and BridgeEnter (6.01 s)
    record = _stored(cut_at=3.01, back_at=7.0, bridged=True)
    assert record.outcome == "answered"
    assert record.agent == "Wang Fang"
    assert record.queues == ("member-hotline",)
    assert record.caller == "+8613800138000"
    assert record.talk_s > 0


def test_a_call_still_ringing_at_the_resync_is_answered_from_the_events_that_follow() -> None:
    # back at 5 s, before the answer: the list shows no bridge and the events tell the rest
    record = _stored(cut_at=3.01, back_at=5.0, bridged=False)
    assert (record.outcome, record.agent) == ("answered", "Wang Fang")
    assert record.talk_s == 5.0
