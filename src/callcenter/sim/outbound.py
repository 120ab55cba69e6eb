"""Originate (Async) as the recorded PBX plays it: agent phone first, then the customer leg."""

from __future__ import annotations

import re
from dataclasses import dataclass

from callcenter.sim import events as ev
from callcenter.sim.model import interface_of
from callcenter.sim.queueing import member_status
from callcenter.sim.scenario import CallHandle, Switch

AGENT_ANSWERS_S = 1.0  # the agent's phone picks up about 1 s after it starts ringing


@dataclass
class OriginateSpec:
    """The Originate action's fields that matter to the simulation."""

    channel: str
    context: str
    exten: str
    callerid: str
    action_id: str
    ring_s: float = 4.0
    talk_s: float = 6.0
    answered: bool = True
    caller_num: str = "02161234567"
    caller_name: str = "Bertelsmann Book Club"


def parse_callerid(text: str) -> tuple[str, str]:
    """'"Name" <num>' -> (num, name); a bare number has no name."""
    m = re.match(r'\s*"?([^"<]*?)"?\s*<([^>]*)>', text)
    if m:
        return m.group(2), m.group(1) or "<unknown>"
    return (text.strip() or "<unknown>"), "<unknown>"


async def play_originate(sw: Switch, spec: OriginateSpec) -> str:
    """Ring the agent's phone, send OriginateResponse, then dial the customer and talk."""
    target = spec.channel.removeprefix("Local/").removesuffix("/n")
    p1, p2 = sw.model.local_pair(target, sw.now())
    num, name = parse_callerid(spec.callerid)
    for ch in (p1, p2):
        ch.cid_num, ch.cid_name, ch.conn_num, ch.conn_name = num, name, num, name
    sw.emit(ev.chan_event("Newchannel", p1))
    sw.emit(ev.chan_event("Newchannel", p2))
    sw.emit(ev.local_bridge(p1, p2))
    sw.emit(ev.dial("DialBegin", None, p1, ("DialString", target + "/n")))
    p1.state = "5"
    sw.emit(ev.dial("DialState", None, p1, ("DialStatus", "RINGING")))
    agent_ext = target.partition("@")[0]
    memberships = sw.model.memberships(interface_of(agent_ext))
    member = memberships[0][1] if memberships else None
    if member is not None:
        member_status(sw, member, "6")
    call = CallHandle(p1, p2)
    await call.wait(sw, AGENT_ANSWERS_S)
    p1.state = p2.state = "6"
    sw.emit(ev.chan_event("Newstate", p2))
    sw.emit(ev.chan_event("Newstate", p1))
    sw.emit(ev.dial("DialEnd", None, p1, ("DialStatus", "ANSWER")))
    sw.emit(
        ev.event(
            "OriginateResponse",
            ev.CALL,
            [
                ("ActionID", spec.action_id),
                ("Response", "Success"),
                ("Channel", p1.name),
                ("Context", spec.context),
                ("Exten", spec.exten),
                ("Reason", "4"),
                ("Uniqueid", p1.uniqueid),
                ("CallerIDNum", num),
                ("CallerIDName", name),
            ],
        )
    )
    p1.context, p1.exten, p1.priority = spec.context, spec.exten, "4"
    p1.cid_num, p1.cid_name = spec.caller_num, spec.caller_name
    c1, c2 = sw.model.local_pair(f"{spec.exten}@pstn-sim", sw.now(), linkedid=p1.linkedid)
    sw.emit(ev.chan_event("Newchannel", c1))
    sw.emit(ev.chan_event("Newchannel", c2))
    c1.cid_num, c1.cid_name, c1.conn_num, c1.conn_name = spec.exten, name, spec.caller_num, ""
    sw.emit(ev.local_bridge(c1, c2))
    sw.emit(ev.dial("DialBegin", p1, c1, ("DialString", f"{spec.exten}@pstn-sim/n")))
    c1.state = "5"
    sw.emit(ev.dial("DialState", p1, c1, ("DialStatus", "RINGING")))
    if member is not None:
        member_status(sw, member, "2")
    await call.wait(sw, spec.ring_s)
    if not spec.answered:
        sw.emit(ev.dial("DialEnd", p1, c1, ("DialStatus", "NOANSWER")))
        for ch in (c1, c2, p1, p2):
            sw.emit(ev.hangup(ch))
        if member is not None:
            member_status(sw, member, "1")
        for ch in (c1, c2, p1, p2):
            sw.model.channels.pop(ch.name, None)
        return "no-answer"
    c1.state = c2.state = "6"
    sw.emit(ev.dial("DialEnd", p1, c1, ("DialStatus", "ANSWER")))
    bridge = sw.model.bridge_id()
    sw.emit(ev.bridge_event("BridgeCreate", bridge, 0))
    sw.emit(ev.bridge_event("BridgeEnter", bridge, 1, c1))
    sw.emit(ev.bridge_event("BridgeEnter", bridge, 2, p1))
    await call.wait(sw, spec.talk_s)
    sw.emit(ev.bridge_event("BridgeLeave", bridge, 1, c1))
    sw.emit(ev.hangup(c1))
    sw.emit(ev.hangup(c2))
    sw.emit(ev.bridge_event("BridgeLeave", bridge, 0, p1))
    sw.emit(ev.bridge_event("BridgeDestroy", bridge, 0))
    sw.emit(ev.hangup(p1))
    if member is not None:
        member_status(sw, member, "1")
    sw.emit(ev.hangup(p2))
    for ch in (c1, c2, p1, p2):
        sw.model.channels.pop(ch.name, None)
    return "answered"
