"""AMI messages -> domain events: the only package that knows Asterisk's header names."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from contextlib import suppress
from datetime import datetime

from callcenter.adapters.ami.translate import channels, members, queues
from callcenter.adapters.ami.translate.fields import Handler, num
from callcenter.domain.calls import events as ev

log = logging.getLogger(__name__)

_HANDLERS: dict[str, Handler] = {
    "VarSet": channels.varset,
    "Newchannel": channels.newchannel,
    "NewCallerid": channels.newcallerid,
    "Hangup": channels.hangup,
    "DialBegin": channels.dial_begin,
    "DialEnd": channels.dial_end,
    "OriginateResponse": channels.originate,
    "BlindTransfer": channels.blind_transfer,
    "AttendedTransfer": channels.attended_transfer,
    "ChanSpyStart": channels.spy_start,
    "ChanSpyStop": channels.spy_stop,
    "DTMFEnd": channels.dtmf_end,
    "QueueCallerJoin": queues.join,
    "QueueCallerLeave": queues.leave,
    "QueueCallerAbandon": queues.abandon,
    "AgentCalled": queues.agent_called,
    "AgentRingNoAnswer": queues.ring_no_answer,
    "AgentConnect": queues.agent_connect,
    "AgentComplete": queues.agent_complete,
    "QueueMemberAdded": members.member_added,
    "QueueMemberRemoved": members.member_removed,
    "QueueMemberPause": members.member_pause,
    "QueueMemberStatus": members.member_status,
    "QueueMemberPenalty": members.member_penalty,
    "QueueMember": members.queue_member,
    "QueueEntry": members.queue_entry,
    "CoreShowChannel": members.core_show_channel,
}

# VarSets translate reads (besides CC_*), and DIALEDTIME_MS, which the replay clock reads.
_WANTED_VARIABLES = frozenset(
    ("QUEUESTATUS", "DIALSTATUS", "AMDSTATUS", "MIXMONITOR_FILENAME", "DIALEDTIME_MS")
)
_VARIABLE = "\r\nVariable: "

# Frames no handler reads, recognisable from their first line: skipped before parsing.
_UNWANTED = tuple(
    f"Event: {name}\r\n"
    for name in (
        "Newexten",
        "DeviceStateChange",
        "ExtensionStatus",
        "Newstate",
        "NewConnectedLine",
        "LocalBridge",
        "BridgeEnter",
        "BridgeLeave",
        "BridgeCreate",
        "BridgeDestroy",
        "MusicOnHoldStart",
        "MusicOnHoldStop",
        "DialState",
        "HangupRequest",
        "SoftHangupRequest",
        "HangupHandlerPush",
        "HangupHandlerRun",
        "DTMFBegin",
        "Hold",
        "Unhold",
        "MixMonitorMute",
        "AGIExecStart",
        "AGIExecEnd",
    )
)


def wanted_frame(frame: str) -> bool:
    """False for a raw frame translate would ignore anyway (most VarSets, Newexten...): cheap."""
    if frame.startswith("Event: VarSet\r\n"):
        # One find for the variable's name, one set lookup: a busy PBX sends VarSets by the dozen.
        at = frame.find(_VARIABLE)
        if at < 0:
            return False
        start = at + len(_VARIABLE)
        end = frame.find("\r\n", start)
        name = frame[start:end] if end >= 0 else frame[start:]
        return name.startswith("CC_") or name in _WANTED_VARIABLES
    return not frame.startswith(_UNWANTED)


def translate(msg: Mapping[str, str], *, pbx: str, at: float) -> list[ev.DomainEvent]:
    """The domain events one AMI message means; [] for messages we do not need or cannot read."""
    name = msg.get("Event")
    handler = _HANDLERS.get(name) if isinstance(name, str) else None
    if handler is None:
        return []
    try:
        return handler(msg, pbx, at)
    except (KeyError, TypeError, AttributeError) as exc:
        # A header missing (or repeated into a list): skip this event, keep the stream going.
        log.debug("AMI %s skipped: missing or malformed header %s", name, exc)
        return []


# Instants a recording can plausibly prove; anything else is junk and proves nothing.
_EARLIEST, _LATEST = 946_684_800.0, 4_102_444_800.0  # 2000-01-01 .. 2100-01-01 UTC


def _plausible(instant: float) -> float:
    return instant if _EARLIEST <= instant < _LATEST else 0.0


def _epoch(uniqueid: object) -> float:
    if not isinstance(uniqueid, str) or not uniqueid:
        return 0.0  # absent, or a header repeated into a list
    head = uniqueid.split(".", 1)[0]
    return _plausible(float(head)) if head.isdigit() and len(head) <= 12 else 0.0


def stream_time(msg: Mapping[str, str]) -> float:
    """The latest wall-clock instant a message proves (0 when it proves none); for replays."""
    best = max(_epoch(msg.get("Uniqueid")), _epoch(msg.get("DestUniqueid")))
    if msg.get("Event") == "VarSet" and msg.get("Variable") == "DIALEDTIME_MS":
        # The channel has existed this long since its Uniqueid epoch.
        dialed = _epoch(msg.get("Uniqueid")) + num(msg.get("Value")) / 1000.0
        best = max(best, _plausible(dialed))
    for key in ("LastCall", "LastPause", "LoginTime"):
        best = max(best, _plausible(num(msg.get(key))))
    for key in ("EventTV", "SessionTV"):
        text = msg.get(key)
        if isinstance(text, str) and text:
            with suppress(ValueError):
                instant = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()
                best = max(best, _plausible(instant))
    return best
