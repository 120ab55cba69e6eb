"""Agent-first Originate: the agent's phone rings and answers (OriginateResponse Success), then
[outbound] dials the customer; the customer's outcome shows only in DialEnd and DIALSTATUS."""

from __future__ import annotations

from callcenter.sim import events as ev
from callcenter.sim.members import hangup_handler, member_status
from callcenter.sim.model import Channel, Member, interface_of
from callcenter.sim.originate import (
    DIAL_STATUS,
    HANGUP_CAUSE,
    OriginateSpec,
    answered,
    bring_up,
    parse_callerid,
    response,
    ringing,
)
from callcenter.sim.pstn import Dialled
from callcenter.sim.recording import RECORD_GOSUB, recording_name
from callcenter.sim.switch import CallHandle, Switch, drop

AGENT_ANSWERS_S = 1.0  # the agent's phone picks up about 1 s after it starts ringing
DIAL_TIMEOUT_S = 60.0  # [outbound] Dial(…,60)
OUTBOUND_CID = ("02161234567", "Bertelsmann Book Club")


async def play_agent_first(sw: Switch, spec: OriginateSpec, dialled: Dialled) -> str:
    """Ring the agent's phone, answer, OriginateResponse, then dial the customer."""
    target = spec.channel.removeprefix("Local/").removesuffix("/n")
    num, name = parse_callerid(spec.callerid)
    p1, p2 = bring_up(sw, target, num, name)
    ext = target.partition("@")[0]
    pairs = sw.model.memberships(interface_of(ext))
    member = pairs[0][1] if pairs else None
    sw.emit(ev.chan_event("HangupHandlerPush", p2, hangup_handler(ext), priv=ev.DIALPLAN))
    # [agent-phone] Dials the agent's own phone; the Originate is answered when it answers.
    phone = sw.model.device(ext, sw.now(), p1.linkedid)
    phone.cid_num, phone.cid_name = p2.cid_num, p2.cid_name
    sw.emit(ev.chan_event("Newchannel", phone))
    sw.emit(ev.dial("DialBegin", p2, phone, ("DialString", ext)))
    ringing(sw, p1)
    if member is not None:
        member_status(sw, member, "6")
    call = CallHandle(p1, p2)
    call.phone = phone
    await call.wait(sw, AGENT_ANSWERS_S)
    phone.state = "6"
    sw.emit(ev.chan_event("Newstate", phone))
    sw.emit(ev.dial("DialEnd", p2, phone, ("DialStatus", "ANSWER")))
    answered(sw, p1, p2)
    response(sw, spec, p1, "4", num, name)
    if member is not None:
        member_status(sw, member, "2")
    p1.context, p1.exten, p1.priority = spec.context, spec.exten, "4"
    p1.cid_num, p1.cid_name = OUTBOUND_CID
    sw.emit(ev.varset(p1, "DIALSTATUS", ""))
    c1, c2 = sw.model.local_pair(f"{spec.exten}@pstn-sim", sw.now(), linkedid=p1.linkedid)
    sw.emit(ev.chan_event("Newchannel", c1))
    sw.emit(ev.chan_event("Newchannel", c2))
    c1.cid_num, c1.cid_name, c1.conn_num, c1.conn_name = spec.exten, name, OUTBOUND_CID[0], ""
    outcome = dialled.outcome
    if outcome == "invalid":
        sw.emit(ev.hangup(c2, "0"))
        sw.emit(ev.hangup(c1, "0"))
        drop(sw, c1, c2)
        return _agent_done(sw, call, member, ext, "CHANUNAVAIL")
    sw.emit(ev.local_bridge(c1, c2))
    sw.emit(ev.dial("DialBegin", p1, c1, ("DialString", f"{spec.exten}@pstn-sim/n")))
    if outcome in ("busy", "congestion"):
        await call.wait(sw, min(dialled.ring_s, 1.0))
        return _failed(sw, call, c1, c2, member, ext, outcome)
    c1.state = "5"
    sw.emit(ev.chan_event("Newstate", c1))
    sw.emit(ev.dial("DialState", p1, c1, ("DialStatus", "RINGING")))
    if outcome == "noanswer" or dialled.ring_s >= DIAL_TIMEOUT_S:
        await call.wait(sw, DIAL_TIMEOUT_S)
        return _failed(sw, call, c1, c2, member, ext, "noanswer")
    await call.wait(sw, dialled.ring_s)
    c1.state = c2.state = "6"
    sw.emit(ev.chan_event("Newstate", c2))
    sw.emit(ev.chan_event("Newstate", c1))
    if sw.record_queue_calls:  # [outbound]'s Dial U(cc-record^s^1) on the customer's leg
        name = recording_name(sw.pbx_name, c1.linkedid)
        sw.recorder.start(c1, name, context=RECORD_GOSUB, noise=sw.noise)
    sw.emit(ev.varset(p1, "DIALSTATUS", "ANSWER"))
    sw.emit(ev.dial("DialEnd", p1, c1, ("DialStatus", "ANSWER")))
    bridge = sw.model.bridge_id()
    sw.emit(ev.bridge_event("BridgeCreate", bridge, 0))
    sw.emit(ev.bridge_event("BridgeEnter", bridge, 1, c1))
    sw.emit(ev.bridge_event("BridgeEnter", bridge, 2, p1))
    got = await call.wait(sw, dialled.talk_s)
    if got is not None and got.kind == "hangup-agent":
        sw.emit(ev.chan_event("HangupRequest", p1, ("Cause", "16")))
    sw.emit(ev.bridge_event("BridgeLeave", bridge, 1, c1))
    sw.emit(ev.hangup(c1))
    sw.emit(ev.hangup(c2))
    sw.emit(ev.bridge_event("BridgeLeave", bridge, 0, p1))
    sw.emit(ev.bridge_event("BridgeDestroy", bridge, 0))
    drop(sw, c1, c2)
    return _agent_done(sw, call, member, ext, "ANSWER", answered_call=True)


def _failed(
    sw: Switch,
    call: CallHandle,
    c1: Channel,
    c2: Channel,
    member: Member | None,
    ext: str,
    outcome: str,
) -> str:
    sw.emit(ev.dial("DialEnd", call.caller, c1, ("DialStatus", DIAL_STATUS[outcome])))
    sw.emit(ev.chan_event("HangupRequest", c2, ("Cause", "0")))
    sw.emit(ev.hangup(c1, "0"))
    sw.emit(ev.hangup(c2, HANGUP_CAUSE[outcome]))
    drop(sw, c1, c2)
    return _agent_done(sw, call, member, ext, DIAL_STATUS[outcome])


def _agent_done(
    sw: Switch,
    call: CallHandle,
    member: Member | None,
    ext: str,
    status: str,
    *,
    answered_call: bool = False,
) -> str:
    """[outbound] ends: DIALSTATUS, the agent's pair hangs up, its handler frees the phone."""
    p1, p2 = call.caller, call.twin
    sw.emit(ev.varset(p1, "DIALSTATUS", status))
    sw.emit(ev.chan_event("SoftHangupRequest", p1, ("Cause", "16")))
    sw.emit(ev.chan_event("HangupRequest", p2, ("Cause", "16")))
    sw.emit(ev.hangup(p1))
    sw.emit(ev.chan_event("HangupHandlerRun", p2, hangup_handler(ext), priv=ev.DIALPLAN))
    if member is not None:
        member_status(sw, member, "1")
    sw.emit(ev.hangup(p2))
    drop(sw, p1, p2)
    if call.phone is not None:  # the agent's phone goes with its [agent-phone] leg
        sw.emit(ev.hangup(call.phone))
        drop(sw, call.phone)
    return status.lower()
