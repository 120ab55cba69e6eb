"""[cc-queue]'s direct Dial of a free preferred agent before Queue(): no Agent* events at all."""

from __future__ import annotations

from callcenter.sim import events as ev
from callcenter.sim.callerleg import caller_hangs_up, flush_held
from callcenter.sim.members import agent_dialplan, hangup_handler, member_status
from callcenter.sim.model import UNKNOWN, Agent, Member, interface_of
from callcenter.sim.recording import RECORD_GOSUB, recording_name
from callcenter.sim.switch import CallHandle, CallSpec, Interrupt, Switch, drop

INUSE_AFTER_S = 0.5


def free_preferred(sw: Switch, ext: str) -> Member | None:
    """The preferred agent's membership when DEVICE_STATE(Custom:agentNNNN) is NOT_INUSE."""
    pairs = sw.model.memberships(interface_of(ext))
    if not pairs or pairs[0][1].agent.status != "1":
        return None
    return pairs[0][1]


def _ring(sw: Switch, call: CallHandle, agent: Agent, ext: str, ring_s: int) -> None:
    one = call.caller
    if sw.noise:
        sw.emit(ev.newexten(one, "Dial", f"Local/{ext}@agents/n,{ring_s}"))
    a1, a2 = sw.model.local_pair(f"{ext}@agents", sw.now(), linkedid=one.linkedid)
    call.agent_legs = (a1, a2)
    sw.emit(ev.chan_event("Newchannel", a1))
    sw.emit(ev.chan_event("Newchannel", a2))
    num = one.cid_num if one.cid_num != UNKNOWN else one.exten
    a2.cid_num, a2.cid_name, a2.conn_num, a2.conn_name = num, one.cid_name, num, one.cid_name
    sw.emit(ev.chan_event("NewCallerid", a2, ("CID-CallingPres", ev.PRES_ALLOWED)))
    sw.emit(ev.local_bridge(a1, a2))
    sw.emit(ev.dial("DialBegin", one, a1, ("DialString", f"{ext}@agents/n")))
    agent_dialplan(sw, a2, ext, ["RINGING"])
    member_status(sw, _member(sw, agent), "6")
    agent_dialplan(sw, a2, ext, ["push"])
    sw.emit(ev.chan_event("HangupHandlerPush", a2, hangup_handler(ext), priv=ev.DIALPLAN))
    agent_dialplan(sw, a2, ext, ["Dial"])
    a1.state, a1.conn_num, a1.conn_name = "5", num, one.cid_name
    sw.emit(ev.chan_event("Newstate", a1))
    sw.emit(ev.dial("DialState", one, a1, ("DialStatus", "RINGING")))


def _member(sw: Switch, agent: Agent) -> Member:
    return sw.model.memberships(agent.interface)[0][1]


def _unrung(sw: Switch, call: CallHandle, agent: Agent, status: str) -> None:
    """The ring ends unanswered: DialEnd, the agent pair goes, its handler frees the device."""
    assert call.agent_legs is not None
    a1, a2 = call.agent_legs
    sw.emit(ev.dial("DialEnd", call.caller, a1, ("DialStatus", status)))
    sw.emit(ev.hangup(a1, "0"))
    ext = agent.state_interface.removeprefix("Custom:agent")
    sw.emit(ev.chan_event("HangupHandlerRun", a2, hangup_handler(ext), priv=ev.DIALPLAN))
    member_status(sw, _member(sw, agent), "1")
    sw.emit(ev.hangup(a2, "0"))
    drop(sw, a1, a2)
    call.agent_legs = None
    sw.emit(ev.varset(call.caller, "DIALSTATUS", status))


def _end(sw: Switch, call: CallHandle, agent: Agent, got: Interrupt | None, by: str) -> str:
    """Teardown of a direct call; a Redirect of the customer moves it on instead."""
    assert call.agent_legs is not None
    one, two = call.caller, call.twin
    a1, a2 = call.agent_legs
    ext = agent.state_interface.removeprefix("Custom:agent")
    kind = got.kind if got is not None else by
    sw.emit(ev.varset(one, "DIALSTATUS", "ANSWER"))
    if kind == "redirect" and got is not None:
        one.context, one.exten, one.priority = got.context or "cc-transfer", got.exten, "1"
    elif kind in ("caller", "hangup-caller"):
        sw.emit(ev.chan_event("SoftHangupRequest", two, ("Cause", "16")))
        sw.emit(ev.chan_event("HangupRequest", one, ("Cause", "16")))
        sw.emit(ev.hangup(two))
    else:
        sw.emit(ev.chan_event("SoftHangupRequest", a2, ("Cause", "16")))
        sw.emit(ev.chan_event("HangupRequest", a1, ("Cause", "16")))
    sw.emit(ev.bridge_event("BridgeLeave", one.bridge, 1, one))
    sw.emit(ev.bridge_event("BridgeLeave", a1.bridge, 0, a1))
    sw.emit(ev.bridge_event("BridgeDestroy", a1.bridge, 0))
    sw.emit(ev.hangup(a1))
    sw.emit(ev.chan_event("HangupHandlerRun", a2, hangup_handler(ext), priv=ev.DIALPLAN))
    member_status(sw, _member(sw, agent), "1")
    sw.emit(ev.hangup(a2))
    drop(sw, a1, a2)
    call.agent_legs = None
    one.bridge = ""
    if kind == "redirect":
        return "moved"
    if kind in ("caller", "hangup-caller"):
        sw.emit(ev.chan_event("SoftHangupRequest", one, ("Cause", "16")))
        flush_held(sw, call)
        sw.emit(ev.hangup(one))
        drop(sw, one, two)
    else:
        caller_hangs_up(sw, call, after_queue=True)  # [cc-queue] goes on to Hangup()
    return "answered"


async def dial_preferred(
    sw: Switch, call: CallHandle, spec: CallSpec, member: Member, ring_s: int
) -> tuple[str, Interrupt | None]:
    """Dial(Local/NNNN@agents/n, ring_s): ('answered' | 'moved' | 'abandoned' | 'noanswer', why)."""
    agent = member.agent
    ext = agent.state_interface.removeprefix("Custom:agent")
    _ring(sw, call, agent, ext, ring_s)
    started = sw.now()
    answer_after = spec.answer(ext)
    patience = spec.patience_s if spec.patience_s is not None else float("inf")
    limit = min(ring_s, patience, answer_after if answer_after is not None else float("inf"))
    got = await call.wait(sw, limit)
    if spec.patience_s is not None:
        spec.patience_s = max(spec.patience_s - (sw.now() - started), 0.0)
    if got is not None or limit == patience:
        _unrung(sw, call, agent, "CANCEL")
        if got is not None and got.kind == "redirect":
            return "moved", got
        caller_hangs_up(sw, call)
        return "abandoned", got
    if answer_after is None or limit < answer_after:
        _unrung(sw, call, agent, "NOANSWER")
        return "noanswer", None
    return await _talk(sw, call, spec, agent, ext), None


async def _talk(sw: Switch, call: CallHandle, spec: CallSpec, agent: Agent, ext: str) -> str:
    assert call.agent_legs is not None
    one = call.caller
    a1, a2 = call.agent_legs
    for ch in (a2, a1):
        ch.state = "6"
        sw.emit(ev.chan_event("Newstate", ch))
    if sw.record_queue_calls:  # Dial()'s U(cc-record^s^1) runs on the answered agent leg
        name = recording_name(sw.pbx_name, a1.linkedid)
        sw.recorder.start(a1, name, context=RECORD_GOSUB, noise=sw.noise)
    sw.emit(ev.dial("DialEnd", one, a1, ("DialStatus", "ANSWER")))
    call.connected.set()
    bridge = sw.model.bridge_id()
    one.bridge = a1.bridge = bridge
    sw.emit(ev.bridge_event("BridgeCreate", bridge, 0))
    sw.emit(ev.bridge_event("BridgeEnter", bridge, 1, a1))
    sw.emit(ev.bridge_event("BridgeEnter", bridge, 2, one))
    got = await call.wait(sw, INUSE_AFTER_S)
    if got is None:
        agent_dialplan(sw, a2, ext, ["INUSE"])
        member_status(sw, _member(sw, agent), "2")
        agent_dialplan(sw, a2, ext, ["Return"])
        got = await call.wait(sw, spec.talk_s - INUSE_AFTER_S)
    return _end(sw, call, agent, got, spec.hangup_by)
