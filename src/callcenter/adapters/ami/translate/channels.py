"""Channel-level AMI events: channels, dials, variables, Originate results, transfers, ChanSpy."""

from __future__ import annotations

from callcenter.adapters.ami.translate.fields import Msg, base_name, integer, opt, withheld
from callcenter.domain.calls import events as ev

# The prefix of every ActionID this backend sends (adapters.ami.actions.new_action_id).
OWN_ACTION_PREFIX = "cc-"


def newchannel(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    return [
        ev.ChannelCreatedSeen(
            pbx=pbx,
            at=at,
            linkedid=m["Linkedid"],
            channel=m["Channel"],
            uniqueid=m["Uniqueid"],
            context=m.get("Context") or "",
            exten=m.get("Exten") or "",
        )
    ]


def newcallerid(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    return [
        ev.CallerIdSeen(
            pbx=pbx,
            at=at,
            linkedid=m["Linkedid"],
            channel=m["Channel"],
            uniqueid=m["Uniqueid"],
            number=opt(m.get("CallerIDNum")),
            name=opt(m.get("CallerIDName")),
            withheld=withheld(m.get("CID-CallingPres")),
        )
    ]


def hangup(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    return [
        ev.ChannelHungUpSeen(
            pbx=pbx,
            at=at,
            linkedid=m["Linkedid"],
            channel=m["Channel"],
            uniqueid=m["Uniqueid"],
            cause=integer(m.get("Cause")),
        )
    ]


def varset(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    # Half of all traffic: decide on the variable name before touching anything else.
    name = m["Variable"]
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
    value = m.get("Value") or ""
    if not value:
        return []
    linkedid, channel = m["Linkedid"], m["Channel"]
    if name == "QUEUESTATUS":
        return [
            ev.QueueResultSeen(pbx=pbx, at=at, linkedid=linkedid, channel=channel, status=value)
        ]
    if name == "DIALSTATUS":
        return [
            ev.DialStatusSeen(
                pbx=pbx,
                at=at,
                linkedid=linkedid,
                channel=channel,
                status=value,
                context=m.get("Context") or "",
                exten=m.get("Exten") or "",
            )
        ]
    if name == "AMDSTATUS":
        return [ev.AmdResultSeen(pbx=pbx, at=at, linkedid=linkedid, channel=channel, status=value)]
    if name == "MIXMONITOR_FILENAME":
        return [
            ev.RecordingSeen(
                pbx=pbx, at=at, linkedid=linkedid, channel=channel, file=base_name(value)
            )
        ]
    return []


def blind_transfer(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
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


def attended_transfer(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    # OrigTransferer is the agent who started it; the consultation leg runs in SecondTransferer's
    # dialplan (e.g. cc-transfer 7006).
    linkedid = m.get("TransfereeLinkedid") or m["OrigTransfererLinkedid"]
    return [
        ev.TransferSeen(
            pbx=pbx,
            at=at,
            linkedid=linkedid,
            agent_channel=m["OrigTransfererChannel"],
            customer_channel=m.get("TransfereeChannel") or "",
            context=m.get("TransferTargetContext") or "",
            exten=m.get("TransferTargetExten") or "",
            success=(m.get("Result") or "").lower() == "success",
            kind="attended",
        )
    ]


def dial_begin(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    channel = m.get("Channel") or None  # None: an Originate's own first leg, only Dest* fields
    return [
        ev.DialBeginSeen(
            pbx=pbx,
            at=at,
            linkedid=m.get("Linkedid") or m["DestLinkedid"],
            channel=channel,
            dest_channel=m["DestChannel"],
            dial_string=m.get("DialString") or "",
            number=(m.get("Exten") or "") if channel else "",
            context=(m.get("Context") or "") if channel else "",
        )
    ]


def dial_end(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    return [
        ev.DialEndSeen(
            pbx=pbx,
            at=at,
            linkedid=m.get("Linkedid") or m["DestLinkedid"],
            channel=m.get("Channel") or None,
            dest_channel=m["DestChannel"],
            status=m.get("DialStatus") or "",
        )
    ]


def originate(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    # Every AMI session gets every OriginateResponse: only our ActionID prefix makes it ours.
    return [
        ev.OriginateResponseSeen(
            pbx=pbx,
            at=at,
            uniqueid=opt(m.get("Uniqueid")),
            channel=m["Channel"],
            context=m.get("Context") or "",
            success=(m.get("Response") or "").lower() == "success",
            reason=integer(m.get("Reason")),
            ours=(m.get("ActionID") or "").startswith(OWN_ACTION_PREFIX),
        )
    ]


def _spy(m: Msg, pbx: str, at: float, started: bool) -> list[ev.DomainEvent]:
    return [
        ev.SpyStartedSeen(
            pbx=pbx,
            at=at,
            spyer_linkedid=m["SpyerLinkedid"],
            spyer_channel=m["SpyerChannel"],
            spyee_linkedid=m["SpyeeLinkedid"],
            spyee_channel=m["SpyeeChannel"],
            started=started,
        )
    ]


def spy_start(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    return _spy(m, pbx, at, True)


def spy_stop(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    return _spy(m, pbx, at, False)


def dtmf_end(m: Msg, pbx: str, at: float) -> list[ev.DomainEvent]:
    """A digit that arrived on the channel (a digit it sent out is the other side's business)."""
    digit = (m.get("Digit") or "")[:1]
    if m.get("Direction") != "Received" or not digit:
        return []
    linkedid = m.get("Linkedid") or ""
    return [ev.KeyPressedSeen(pbx=pbx, at=at, linkedid=linkedid, channel=m["Channel"], digit=digit)]
