"""Queue-level AMI events: callers joining and leaving queues, agents rung, connected, done."""

from __future__ import annotations

from callcenter.adapters.ami.translate.fields import Msg, call_linkedid, integer, num, opt
from callcenter.domain.calls import events as ev


def join(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    return [
        ev.CallerJoinedQueueSeen(
            pbx=pbx,
            at=at,
            linkedid=m["Linkedid"],
            channel=m["Channel"],
            queue=m["Queue"],
            number=opt(m.get("CallerIDNum")),
            name=opt(m.get("CallerIDName")),
            position=integer(m.get("Position")),
            context=m.get("Context") or "",
            exten=m.get("Exten") or "",
        )
    ]


def agent_called(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    return [
        ev.AgentRingingSeen(
            pbx=pbx,
            at=at,
            linkedid=call_linkedid(m),
            queue=m["Queue"],
            interface=m["Interface"],
            member_name=opt(m.get("MemberName")),
            agent_channel=m["DestChannel"],
            channel=m.get("Channel") or "",
        )
    ]


def ring_no_answer(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    return [
        ev.AgentRingNoAnswerSeen(
            pbx=pbx,
            at=at,
            linkedid=call_linkedid(m),
            queue=m["Queue"],
            interface=m["Interface"],
            member_name=opt(m.get("MemberName")),
            agent_channel=m["DestChannel"],
            ring_s=num(m.get("RingTime")) / 1000.0,  # milliseconds here, seconds elsewhere
        )
    ]


def agent_connect(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    return [
        ev.AgentConnectedSeen(
            pbx=pbx,
            at=at,
            linkedid=call_linkedid(m),
            queue=m["Queue"],
            interface=m["Interface"],
            member_name=opt(m.get("MemberName")),
            agent_channel=m["DestChannel"],
            hold_s=num(m.get("HoldTime")),
            ring_s=num(m.get("RingTime")),
            channel=m.get("Channel") or "",
        )
    ]


def agent_complete(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    return [
        ev.AgentCompleteSeen(
            pbx=pbx,
            at=at,
            linkedid=call_linkedid(m),
            queue=m["Queue"],
            interface=m["Interface"],
            member_name=opt(m.get("MemberName")),
            agent_channel=m.get("DestChannel") or None,
            hold_s=num(m.get("HoldTime")),
            talk_s=num(m.get("TalkTime")),
            reason=m.get("Reason") or "",
        )
    ]


def leave(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    return [
        ev.CallerLeftQueueSeen(
            pbx=pbx, at=at, linkedid=m["Linkedid"], channel=m["Channel"], queue=m["Queue"]
        )
    ]


def abandon(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    return [
        ev.CallerAbandonedSeen(
            pbx=pbx,
            at=at,
            linkedid=m["Linkedid"],
            channel=m["Channel"],
            queue=m["Queue"],
            hold_s=num(m.get("HoldTime")),
        )
    ]
