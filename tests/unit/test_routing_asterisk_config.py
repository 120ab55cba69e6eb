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


# what the backend reads from the features recordings (transfers, outbound, AMD, ChanSpy,
# MixMonitor, queue callback), and the variables it reads from VarSet
NEEDED_FEATURES = {
    "AttendedTransfer",
    "MixMonitorStart",
    "MixMonitorStop",
    "MixMonitorMute",
    "ChanSpyStart",
    "ChanSpyStop",
    "DialBegin",
    "DialEnd",
    "OriginateResponse",
    "QueueCallerAbandon",
}
READ_VARIABLES = {
    "QUEUESTATUS",
    "QUEUE_WITHDRAW_INFO",
    "DIALSTATUS",
    "AMDSTATUS",
    "AMDCAUSE",
    "MIXMONITOR_FILENAME",
}


def trace_events(folder: Path = TRACES) -> list[dict[str, str]]:
    events = []
    for path in sorted(folder.glob("*.jsonl")):
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
    assert all(v in READ_VARIABLES or v.startswith("CC_") for v in variables)
    assert len(kept) * 2 < len(events)  # most of the traffic never leaves Asterisk


def test_event_filter_keeps_the_transfer_outbound_amd_spy_and_recording_events() -> None:
    white, black = manager_filters()
    events = trace_events(TRACES / "features")
    kept = [e for e in events if passes(e, white, black)]
    assert {e["Event"] for e in kept} >= NEEDED_FEATURES
    variables = {e["Variable"] for e in kept if e["Event"] == "VarSet"}
    # every variable the backend reads that these recordings hold survives, nothing else does
    assert {v for v in variables if not v.startswith("CC_")} == READ_VARIABLES
    assert len(kept) * 2 < len(events)


def test_writetimeout_is_set_per_user_where_asterisk_accepts_it() -> None:
    sections: dict[str, dict[str, str]] = {}
    current = ""
    for line in (ASTERISK / "manager.conf").read_text("utf-8").splitlines():
        line = line.split(";", 1)[0].strip()
        if line.startswith("["):
            current = line.strip("[]")
        elif "=" in line:
            key, _, value = line.partition("=")
            sections.setdefault(current, {})[key.strip()] = value.strip()
    assert "writetimeout" not in sections["general"]  # "Invalid keyword" there
    assert int(sections["callcenter"]["writetimeout"]) > 0


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
    assert set(user["read"].split(",")) == {"call", "agent", "dialplan", "system", "dtmf"}
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
    assert "Queue(${CC_QUEUE},t,,,${CC_OVERFLOW_AFTER},,cc-record)" in text
    assert "Queue(${CC_OVERFLOW_QUEUE}" in text
    assert re.search(r"^exten => _700\[1-7\]", text, re.M)  # transfer targets


def test_the_hook_is_told_the_entry_point_and_every_carrier_did_maps_to_one() -> None:
    text = (ASTERISK / "extensions.conf").read_text("utf-8")
    assert "AGI(${CC_AGI},${CC_ENTRY},${CC_MENU})" in text
    assert "Set(CC_ENTRY=${EXTEN})" in text
    trunk = text[text.index("[from-trunk]") :]
    targets = re.findall(r"Goto\(inbound,(\d+),1\)", trunk)
    assert targets and set(targets) <= set(RULES.by_did)


def test_agent_phones_and_the_trunk_are_reached_through_globals_a_lab_can_override() -> None:
    text = (ASTERISK / "extensions.conf").read_text("utf-8")
    assert "PJSIP/" not in "".join(
        line for line in text.splitlines() if line.lstrip().startswith(("exten", "same"))
    )
    assert re.search(r"^CC_AGENT_DEVICE_TECH=PJSIP$", text, re.M)
    assert re.search(r"^CC_TRUNK_TECH=PJSIP$", text, re.M)
