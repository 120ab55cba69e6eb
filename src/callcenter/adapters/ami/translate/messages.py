"""AMI messages -> domain events: the only module that knows Asterisk's header names."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from contextlib import suppress
from datetime import datetime

from callcenter.domain.calls import events as ev

log = logging.getLogger(__name__)

Msg = Mapping[str, str]
_Handler = Callable[[Msg, str, float], "list[ev.DomainEvent]"]

_UNKNOWN = frozenset({"", "<unknown>", "unknown"})
# Presentation bits 0x60: 0x20 prohibited, 0x40 not available (ITU Q.931 screening octet).
_PRES_HIDDEN = 0x60


def _opt(value: str | None) -> str | None:
    """A caller ID field, None when Asterisk has nothing (`<unknown>`, `unknown`, empty)."""
    if value is None or value in _UNKNOWN:
        return None
    return value


def _num(value: str | None, default: float = 0.0) -> float:
    try:
        return float(value) if value else default
    except (ValueError, TypeError):  # junk, or a header repeated into a list
        return default


def _int(value: str | None, default: int = 0) -> int:
    try:
        return int(value) if value else default
    except (ValueError, TypeError):  # junk, or a header repeated into a list
        return default


def _flag(value: str | None) -> bool:
    return value is not None and value.strip().lower() in ("1", "true", "yes")


def _withheld(pres: str | None) -> bool:
    if not pres:
        return False
    head = pres.split(" ", 1)[0]
    return head.isdigit() and bool(int(head) & _PRES_HIDDEN)


def _newchannel(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    return [
        ev.ChannelCreatedSeen(
            pbx=pbx, at=at, linkedid=m["Linkedid"], channel=m["Channel"], uniqueid=m["Uniqueid"]
        )
    ]


def _newcallerid(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    return [
        ev.CallerIdSeen(
            pbx=pbx,
            at=at,
            linkedid=m["Linkedid"],
            channel=m["Channel"],
            uniqueid=m["Uniqueid"],
            number=_opt(m.get("CallerIDNum")),
            name=_opt(m.get("CallerIDName")),
            withheld=_withheld(m.get("CID-CallingPres")),
        )
    ]


def _hangup(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    return [
        ev.ChannelHungUpSeen(
            pbx=pbx,
            at=at,
            linkedid=m["Linkedid"],
            channel=m["Channel"],
            uniqueid=m["Uniqueid"],
            cause=_int(m.get("Cause")),
        )
    ]


def _join(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    return [
        ev.CallerJoinedQueueSeen(
            pbx=pbx,
            at=at,
            linkedid=m["Linkedid"],
            channel=m["Channel"],
            queue=m["Queue"],
            number=_opt(m.get("CallerIDNum")),
            name=_opt(m.get("CallerIDName")),
            position=_int(m.get("Position")),
        )
    ]


def _call_linkedid(m: Msg) -> str:
    # AgentComplete loses the caller fields when the caller's channel went first.
    linkedid = m.get("Linkedid") or m.get("DestLinkedid")
    if not linkedid:
        raise KeyError("Linkedid")
    return linkedid


def _agent_called(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    return [
        ev.AgentRingingSeen(
            pbx=pbx,
            at=at,
            linkedid=_call_linkedid(m),
            queue=m["Queue"],
            interface=m["Interface"],
            member_name=_opt(m.get("MemberName")),
            agent_channel=m["DestChannel"],
        )
    ]


def _ring_no_answer(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    return [
        ev.AgentRingNoAnswerSeen(
            pbx=pbx,
            at=at,
            linkedid=_call_linkedid(m),
            queue=m["Queue"],
            interface=m["Interface"],
            member_name=_opt(m.get("MemberName")),
            agent_channel=m["DestChannel"],
            ring_s=_num(m.get("RingTime")) / 1000.0,  # milliseconds here, seconds elsewhere
        )
    ]


def _agent_connect(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    return [
        ev.AgentConnectedSeen(
            pbx=pbx,
            at=at,
            linkedid=_call_linkedid(m),
            queue=m["Queue"],
            interface=m["Interface"],
            member_name=_opt(m.get("MemberName")),
            agent_channel=m["DestChannel"],
            hold_s=_num(m.get("HoldTime")),
            ring_s=_num(m.get("RingTime")),
        )
    ]


def _agent_complete(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    return [
        ev.AgentCompleteSeen(
            pbx=pbx,
            at=at,
            linkedid=_call_linkedid(m),
            queue=m["Queue"],
            interface=m["Interface"],
            member_name=_opt(m.get("MemberName")),
            agent_channel=m["DestChannel"],
            hold_s=_num(m.get("HoldTime")),
            talk_s=_num(m.get("TalkTime")),
            reason=m.get("Reason") or "",
        )
    ]


def _leave(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    return [
        ev.CallerLeftQueueSeen(
            pbx=pbx, at=at, linkedid=m["Linkedid"], channel=m["Channel"], queue=m["Queue"]
        )
    ]


def _abandon(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    return [
        ev.CallerAbandonedSeen(
            pbx=pbx,
            at=at,
            linkedid=m["Linkedid"],
            channel=m["Channel"],
            queue=m["Queue"],
            hold_s=_num(m.get("HoldTime")),
        )
    ]


def _varset(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    # Half of all traffic: decide on the variable name before touching anything else.
    name = m["Variable"]
    if name == "QUEUESTATUS":
        return [
            ev.QueueResultSeen(
                pbx=pbx, at=at, linkedid=m["Linkedid"], channel=m["Channel"], status=m["Value"]
            )
        ]
    if name.startswith("CC_"):
        return [
            ev.RoutingVariableSeen(
                pbx=pbx,
                at=at,
                linkedid=m["Linkedid"],
                channel=m["Channel"],
                name=name,
                value=m.get("Value") or "",
            )
        ]
    return []


def _blind_transfer(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    return [
        ev.TransferSeen(
            pbx=pbx,
            at=at,
            linkedid=m.get("TransfereeLinkedid") or m["TransfererLinkedid"],
            agent_channel=m["TransfererChannel"],
            customer_channel=m["TransfereeChannel"],
            context=m.get("Context") or "",
            exten=m.get("Extension") or "",
            success=(m.get("Result") or "").lower() == "success",
        )
    ]


def _dial_begin(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    channel = m.get("Channel")
    if not channel:
        return []  # an Originate's own first leg: only Dest* fields, nothing dialled out yet
    return [
        ev.DialBeginSeen(
            pbx=pbx,
            at=at,
            linkedid=m["Linkedid"],
            channel=channel,
            dest_channel=m["DestChannel"],
            number=m.get("Exten") or m.get("DestCallerIDNum") or "",
        )
    ]


def _dial_end(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    channel = m.get("Channel")
    if not channel or m.get("DialStatus") != "ANSWER":
        return []
    return [
        ev.DialEndSeen(
            pbx=pbx, at=at, linkedid=m["Linkedid"], channel=channel, dest_channel=m["DestChannel"]
        )
    ]


def _originate(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    if (m.get("Response") or "").lower() != "success":
        return []
    return [ev.OriginateResponseSeen(pbx=pbx, at=at, uniqueid=m["Uniqueid"], channel=m["Channel"])]


def _member_added(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    return [
        ev.MemberAddedSeen(
            pbx=pbx,
            at=at,
            queue=m["Queue"],
            interface=m["Interface"],
            member_name=_opt(m.get("MemberName")),
            penalty=_int(m.get("Penalty")),
            paused=_flag(m.get("Paused")),
            reason=m.get("PausedReason") or None,
        )
    ]


def _member_removed(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    return [
        ev.MemberRemovedSeen(
            pbx=pbx,
            at=at,
            queue=m["Queue"],
            interface=m["Interface"],
            member_name=_opt(m.get("MemberName")),
        )
    ]


def _member_pause(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    return [
        ev.MemberPausedSeen(
            pbx=pbx,
            at=at,
            queue=m["Queue"],
            interface=m["Interface"],
            member_name=_opt(m.get("MemberName")),
            paused=_flag(m.get("Paused")),
            reason=m.get("PausedReason") or None,
        )
    ]


def _member_status(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    return [
        ev.MemberStatusSeen(
            pbx=pbx,
            at=at,
            queue=m["Queue"],
            interface=m["Interface"],
            member_name=_opt(m.get("MemberName")),
            device_state=_int(m["Status"]),
            in_call=_flag(m.get("InCall")),
            paused=_flag(m.get("Paused")),
            reason=m.get("PausedReason") or None,
            penalty=_int(m.get("Penalty")),
            wrapup_s=_num(m.get("Wrapuptime")),
        )
    ]


def _member_penalty(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    return [
        ev.MemberPenaltySeen(
            pbx=pbx,
            at=at,
            queue=m["Queue"],
            interface=m["Interface"],
            member_name=_opt(m.get("MemberName")),
            penalty=_int(m["Penalty"]),
        )
    ]


def _queue_member(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    # The QueueStatus list says Name/Location where the live events say MemberName/Interface.
    return [
        ev.QueueMemberSnapshotSeen(
            pbx=pbx,
            at=at,
            queue=m["Queue"],
            interface=m.get("Location") or m["Interface"],
            member_name=_opt(m.get("Name") or m.get("MemberName")),
            device_state=_int(m.get("Status")),
            in_call=_flag(m.get("InCall")),
            paused=_flag(m.get("Paused")),
            reason=m.get("PausedReason") or None,
            penalty=_int(m.get("Penalty")),
        )
    ]


def _queue_entry(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    return [
        ev.QueueEntrySnapshotSeen(
            pbx=pbx,
            at=at,
            queue=m["Queue"],
            channel=m["Channel"],
            uniqueid=m["Uniqueid"],
            number=_opt(m.get("CallerIDNum")),
            name=_opt(m.get("CallerIDName")),
            wait_s=_num(m.get("Wait")),
            position=_int(m.get("Position")),
        )
    ]


def _duration(text: str | None) -> float:
    """`HH:MM:SS` as seconds; 0 when unreadable."""
    parts = (text or "").split(":")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return 0.0
    return float(int(parts[0]) * 3600 + int(parts[1]) * 60 + int(parts[2]))


def _core_show_channel(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    return [
        ev.ChannelSnapshotSeen(
            pbx=pbx,
            at=at,
            linkedid=m["Linkedid"],
            channel=m["Channel"],
            uniqueid=m["Uniqueid"],
            number=_opt(m.get("CallerIDNum")),
            name=_opt(m.get("CallerIDName")),
            application=m.get("Application") or "",
            application_data=m.get("ApplicationData") or "",
            duration_s=_duration(m.get("Duration")),
            bridged=bool(m.get("BridgeId")),
        )
    ]


HANDLERS: dict[str, _Handler] = {
    "VarSet": _varset,
    "Newchannel": _newchannel,
    "NewCallerid": _newcallerid,
    "Hangup": _hangup,
    "QueueCallerJoin": _join,
    "QueueCallerLeave": _leave,
    "QueueCallerAbandon": _abandon,
    "AgentCalled": _agent_called,
    "AgentRingNoAnswer": _ring_no_answer,
    "AgentConnect": _agent_connect,
    "AgentComplete": _agent_complete,
    "BlindTransfer": _blind_transfer,
    "DialBegin": _dial_begin,
    "DialEnd": _dial_end,
    "OriginateResponse": _originate,
    "QueueMemberAdded": _member_added,
    "QueueMemberRemoved": _member_removed,
    "QueueMemberPause": _member_pause,
    "QueueMemberStatus": _member_status,
    "QueueMemberPenalty": _member_penalty,
    "QueueMember": _queue_member,
    "QueueEntry": _queue_entry,
    "CoreShowChannel": _core_show_channel,
}


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
        "AGIExecStart",
        "AGIExecEnd",
    )
)


def wanted_frame(frame: str) -> bool:
    """False for a raw frame translate would ignore anyway (most VarSets, Newexten...): cheap."""
    if frame.startswith("Event: VarSet\r\n"):
        return (
            "\r\nVariable: CC_" in frame
            or "\r\nVariable: QUEUESTATUS\r\n" in frame
            or "\r\nVariable: DIALEDTIME_MS\r\n" in frame  # the replay clock reads it
        )
    return not frame.startswith(_UNWANTED)


def translate(msg: Mapping[str, str], *, pbx: str, at: float) -> list[ev.DomainEvent]:
    """The domain events one AMI message means; [] for messages we do not need or cannot read."""
    name = msg.get("Event")
    handler = HANDLERS.get(name) if isinstance(name, str) else None
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
        dialed = _epoch(msg.get("Uniqueid")) + _num(msg.get("Value")) / 1000.0
        best = max(best, _plausible(dialed))
    for key in ("LastCall", "LastPause", "LoginTime"):
        best = max(best, _plausible(_num(msg.get(key))))
    for key in ("EventTV", "SessionTV"):
        text = msg.get(key)
        if isinstance(text, str) and text:
            with suppress(ValueError):
                instant = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()
                best = max(best, _plausible(instant))
    return best
