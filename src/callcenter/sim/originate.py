"""What Originate actions share: their fields, the OriginateResponse, the Local pair coming up."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from callcenter.sim import events as ev
from callcenter.sim.model import UNKNOWN, Channel
from callcenter.sim.switch import Switch

FAILURE_REASON = {"busy": "5", "noanswer": "3", "congestion": "8", "invalid": "0"}
HANGUP_CAUSE = {"busy": "17", "noanswer": "19", "congestion": "34", "invalid": "0"}
DIAL_STATUS = {"busy": "BUSY", "noanswer": "NOANSWER", "congestion": "CONGESTION"}


@dataclass
class OriginateSpec:
    """The Originate action's fields that matter to the simulation."""

    channel: str
    context: str
    exten: str
    callerid: str
    action_id: str
    application: str = ""
    data: str = ""
    timeout_s: float = 30.0
    variables: dict[str, str] = field(default_factory=dict)


def parse_callerid(text: str) -> tuple[str, str]:
    """'"Name" <num>' -> (num, name); a bare number has no name."""
    m = re.match(r'\s*"?([^"<]*?)"?\s*<([^>]*)>', text)
    if m:
        return (m.group(2) or UNKNOWN), (m.group(1) or UNKNOWN)
    return (text.strip() or UNKNOWN), UNKNOWN


def response(
    sw: Switch, spec: OriginateSpec, ch: Channel | None, reason: str, num: str, name: str
) -> None:
    """OriginateResponse (to every session, with the sender's ActionID). On failure Channel is
    the dial string as sent and Uniqueid `<unknown>`."""
    fields = [("ActionID", spec.action_id)] if spec.action_id else []
    fields += [
        ("Response", "Success" if ch is not None else "Failure"),
        ("Channel", ch.name if ch is not None else spec.channel),
    ]
    if spec.application:
        fields += [("Application", spec.application), ("Data", spec.data)]
    else:
        fields += [("Context", spec.context), ("Exten", spec.exten)]
    fields += [
        ("Reason", reason),
        ("Uniqueid", ch.uniqueid if ch is not None else UNKNOWN),
        ("CallerIDNum", num),
        ("CallerIDName", name),
    ]
    sw.emit(ev.event("OriginateResponse", ev.CALL, fields))


def bring_up(sw: Switch, target: str, num: str, name: str) -> tuple[Channel, Channel]:
    """The Originate's Local pair: Newchannel x2, LocalBridge, DialBegin (Dest only)."""
    one, two = sw.model.local_pair(target, sw.now())
    for ch in (one, two):
        ch.cid_num, ch.cid_name, ch.conn_num, ch.conn_name = num, name, num, name
    sw.emit(ev.chan_event("Newchannel", one))
    sw.emit(ev.chan_event("Newchannel", two))
    sw.emit(ev.local_bridge(one, two))
    sw.emit(ev.dial("DialBegin", None, one, ("DialString", target + "/n")))
    return one, two


def ringing(sw: Switch, one: Channel) -> None:
    """The originated leg rings."""
    one.state = "5"
    sw.emit(ev.chan_event("Newstate", one))
    sw.emit(ev.dial("DialState", None, one, ("DialStatus", "RINGING")))


def answered(sw: Switch, one: Channel, two: Channel) -> None:
    """The originated leg answers."""
    two.state = one.state = "6"
    sw.emit(ev.chan_event("Newstate", two))
    sw.emit(ev.chan_event("Newstate", one))
    sw.emit(ev.dial("DialEnd", None, one, ("DialStatus", "ANSWER")))
