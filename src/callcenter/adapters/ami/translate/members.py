"""Member and resync AMI events: agents in queues, QueueStatus and CoreShowChannels lists."""

from __future__ import annotations

from callcenter.adapters.ami.translate.fields import Msg, duration, flag, integer, num, opt
from callcenter.domain.calls import events as ev


def member_added(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    return [
        ev.MemberAddedSeen(
            pbx=pbx,
            at=at,
            queue=m["Queue"],
            interface=m["Interface"],
            member_name=opt(m.get("MemberName")),
            penalty=integer(m.get("Penalty")),
            paused=flag(m.get("Paused")),
            reason=m.get("PausedReason") or None,
        )
    ]


def member_removed(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    return [
        ev.MemberRemovedSeen(
            pbx=pbx,
            at=at,
            queue=m["Queue"],
            interface=m["Interface"],
            member_name=opt(m.get("MemberName")),
        )
    ]


def member_pause(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    return [
        ev.MemberPausedSeen(
            pbx=pbx,
            at=at,
            queue=m["Queue"],
            interface=m["Interface"],
            member_name=opt(m.get("MemberName")),
            paused=flag(m.get("Paused")),
            reason=m.get("PausedReason") or None,
        )
    ]


def member_status(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    return [
        ev.MemberStatusSeen(
            pbx=pbx,
            at=at,
            queue=m["Queue"],
            interface=m["Interface"],
            member_name=opt(m.get("MemberName")),
            device_state=integer(m["Status"]),
            in_call=flag(m.get("InCall")),
            paused=flag(m.get("Paused")),
            reason=m.get("PausedReason") or None,
            penalty=integer(m.get("Penalty")),
            wrapup_s=num(m.get("Wrapuptime")),
        )
    ]


def member_penalty(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    return [
        ev.MemberPenaltySeen(
            pbx=pbx,
            at=at,
            queue=m["Queue"],
            interface=m["Interface"],
            member_name=opt(m.get("MemberName")),
            penalty=integer(m["Penalty"]),
        )
    ]


def queue_member(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    # The QueueStatus list says Name/Location where the live events say MemberName/Interface.
    return [
        ev.QueueMemberSnapshotSeen(
            pbx=pbx,
            at=at,
            queue=m["Queue"],
            interface=m.get("Location") or m["Interface"],
            member_name=opt(m.get("Name") or m.get("MemberName")),
            device_state=integer(m.get("Status")),
            in_call=flag(m.get("InCall")),
            paused=flag(m.get("Paused")),
            reason=m.get("PausedReason") or None,
            penalty=integer(m.get("Penalty")),
        )
    ]


def queue_entry(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    return [
        ev.QueueEntrySnapshotSeen(
            pbx=pbx,
            at=at,
            queue=m["Queue"],
            channel=m["Channel"],
            uniqueid=m["Uniqueid"],
            number=opt(m.get("CallerIDNum")),
            name=opt(m.get("CallerIDName")),
            wait_s=num(m.get("Wait")),
            position=integer(m.get("Position")),
        )
    ]


def core_show_channel(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    return [
        ev.ChannelSnapshotSeen(
            pbx=pbx,
            at=at,
            linkedid=m["Linkedid"],
            channel=m["Channel"],
            uniqueid=m["Uniqueid"],
            number=opt(m.get("CallerIDNum")),
            name=opt(m.get("CallerIDName")),
            application=m.get("Application") or "",
            application_data=m.get("ApplicationData") or "",
            duration_s=duration(m.get("Duration")),
            bridged=bool(m.get("BridgeId")),
            context=m.get("Context") or "",
        )
    ]
