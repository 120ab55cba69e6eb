"""asterisk/ agrees with the rule book; the AMI event filter keeps what the backend reads."""

from __future__ import annotations

import configparser
import json
import re
from pathlib import Path

import pytest

from callcenter.services.routing import load_rules
from support import TRACES

ASTERISK = Path(__file__).resolve().parents[2] / "asterisk"
RULES = load_rules(None)
# events the call tracker, wallboard and resync consume (see the traces README)
NEEDED = {
    "QueueCallerJoin",
    "QueueCallerLeave",
    "QueueCallerAbandon",
    "AgentCalled",
    "AgentConnect",
    "AgentComplete",
    "AgentRingNoAnswer",
    "QueueMemberAdded",
    "QueueMemberRemoved",
    "QueueMemberPause",
    "QueueMemberStatus",
    "QueueMemberPenalty",
    "QueueMember",
    "QueueEntry",
    "QueueParams",
    "QueueSummary",
    "Newchannel",
    "NewCallerid",
    "Hangup",
    "DialBegin",
    "DialEnd",
    "BridgeEnter",
    "BlindTransfer",
    "OriginateResponse",
    "CoreShowChannel",
    "FullyBooted",
}


def manager_filters() -> tuple[list[re.Pattern[str]], list[re.Pattern[str]]]:
    white, black = [], []
    for line in (ASTERISK / "manager.conf").read_text("utf-8").splitlines():
        key, _, value = line.partition("=")
        if key.strip() != "eventfilter":
            continue
        value = value.strip()
        if value.startswith("!"):
            black.append(re.compile(value[1:]))
        else:
            white.append(re.compile(value))
    return white, black


def passes(msg: dict[str, str], white: list[re.Pattern[str]], black: list[re.Pattern[str]]) -> bool:
    # Asterisk: with white and black filters, drop all, keep white matches, then drop black ones
    text = "".join(f"{k}: {v}\r\n" for k, v in msg.items())
    return any(w.search(text) for w in white) and not any(b.search(text) for b in black)


def trace_events() -> list[dict[str, str]]:
    events = []
    for path in sorted(TRACES.glob("*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            msg = json.loads(line).get("msg")
            if msg and "Event" in msg:
                events.append(msg)
    return events


def test_event_filter_keeps_every_event_the_backend_reads_and_drops_the_bulk() -> None:
    white, black = manager_filters()
    events = trace_events()
    kept = [e for e in events if passes(e, white, black)]
    kept_types = {e["Event"] for e in kept}
    assert kept_types >= NEEDED
    assert not kept_types & {"Newexten", "DeviceStateChange", "HangupRequest", "MusicOnHoldStart"}
    variables = {e["Variable"] for e in kept if e["Event"] == "VarSet"}
    assert "QUEUESTATUS" in variables
    assert all(v == "QUEUESTATUS" or v.startswith("CC_") for v in variables)
    assert len(kept) * 2 < len(events)  # most of the traffic never leaves Asterisk


def test_manager_user_is_loopback_only_with_the_rights_the_backend_needs() -> None:
    conf = configparser.ConfigParser(strict=False, inline_comment_prefixes=(";",))
    conf.read_string(
        "\n".join(
            line
            for line in (ASTERISK / "manager.conf").read_text("utf-8").splitlines()
            if not line.startswith("eventfilter")
        )
    )
    user = conf["callcenter"]
    assert set(user["read"].split(",")) == {"call", "agent", "dialplan", "system"}
    assert set(user["write"].split(",")) == {"originate", "call", "agent", "reporting"}
    assert "command" not in user["write"]  # no CLI commands, no shell
    assert user["permit"].startswith("127.0.0.1/")
    assert conf["general"]["bindaddr"] == "127.0.0.1"


def test_queues_conf_defines_exactly_the_rule_book_groups() -> None:
    names = re.findall(
        r"^\[([a-z-]+)\]\(cc-group\)", (ASTERISK / "queues.conf").read_text("utf-8"), re.M
    )
    assert sorted(names) == sorted(RULES.groups)
    text = (ASTERISK / "queues.conf").read_text("utf-8")
    assert re.search(r"^ringinuse = no\b", text, re.M)


@pytest.mark.parametrize("did", [f"800{i}" for i in range(1, 8)])
def test_dialplan_entry_points_match_the_rule_book(did: str) -> None:
    text = (ASTERISK / "extensions.conf").read_text("utf-8")
    m = re.search(rf"^CC_GROUP_{did}=(\S+)$", text, re.M)
    assert m is not None
    assert m.group(1) == RULES.by_did[did]


def test_dialplan_has_a_fallback_when_the_hook_fails_or_is_silent() -> None:
    text = (ASTERISK / "extensions.conf").read_text("utf-8")
    assert 'GotoIf($["${AGISTATUS}" != "SUCCESS"]?fallback)' in text
    assert 'GotoIf($["${CC_REASON}" = ""]?fallback)' in text
    assert "Queue(${CC_QUEUE},t,,,${CC_OVERFLOW_AFTER})" in text
    assert "Queue(${CC_OVERFLOW_QUEUE}" in text
    assert re.search(r"^exten => _700\[1-7\]", text, re.M)  # transfer targets
