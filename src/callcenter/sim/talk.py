"""An answered queue call: connect, the bridge, talk, and the hang-up of either side."""

from __future__ import annotations

from callcenter.sim import events as ev
from callcenter.sim.callerleg import flush_held
from callcenter.sim.members import (
    agent_dialplan,
    extension,
    hangup_handler,
    leave,
    member_status,
    queue_vars,
)
from callcenter.sim.model import Member, Queue
from callcenter.sim.recording import RECORD_GOSUB, recording_name
from callcenter.sim.switch import CallHandle, CallSpec, Switch, drop
from callcenter.sim.transfer import complete, redirected, target_queue, transfer

INUSE_AFTER_S = 0.5  # the agent's phone goes INUSE shortly after Answer
MEMBER_VARS = (
    "MEMBERINTERFACE",
    "MEMBERNAME",
    "MEMBERCALLS",
    "MEMBERLASTCALL",
    "MEMBERPENALTY",
    "MEMBERDYNAMIC",
    "MEMBERREALTIME",
)


def _member_vars(sw: Switch, call: CallHandle, q: Queue, member: Member, hold: int) -> None:
    assert call.agent_legs is not None
    one, a1 = call.caller, call.agent_legs[0]
    values = (
        member.agent.interface,
        member.agent.name,
        str(member.calls_taken),
        str(member.last_call),
        str(member.penalty),
        "1" if member.membership == "dynamic" else "0",
        "0",
    )
    for ch in (one, a1):
        for name, value in zip(MEMBER_VARS, values, strict=True):
            sw.emit(ev.varset(ch, name, value))
    for ch in (one, a1):
        sw.emit(ev.varset(ch, "QEHOLDTIME", str(hold)))
        sw.emit(ev.varset(ch, "QEORIGINALPOS", "1"))
    queue_vars(sw, one, q)
    queue_vars(sw, a1, q)


async def connect(
    sw: Switch,
    call: CallHandle,
    spec: CallSpec,
    q: Queue,
    member: Member,
    joined: float,
    rang: float,
) -> tuple[str, str]:
    """The agent answers: DialEnd, QueueCallerLeave, the gosub's MixMonitor, AgentConnect."""
    assert call.agent_legs is not None
    one = call.caller
    a1, a2 = call.agent_legs
    a2.state = "6"
    ext = extension(member)
    sw.emit(ev.chan_event("Newstate", a2))
    a1.state = "6"
    sw.emit(ev.chan_event("Newstate", a1))
    sw.emit(ev.dial("DialEnd", one, a1, ("DialStatus", "ANSWER")))
    sw.emit(ev.chan_event("MusicOnHoldStop", one))
    hold = int(sw.now() - joined)
    if sw.noise:
        _member_vars(sw, call, q, member, hold)
    leave(sw, one, q, abandon=False)
    if sw.record_queue_calls:
        name = recording_name(sw.pbx_name, a1.linkedid)
        sw.recorder.start(a1, name, context=RECORD_GOSUB, noise=sw.noise)
    q.holdtime = (q.holdtime * q.completed + hold) // (q.completed + 1)
    extra = [("HoldTime", str(hold)), ("RingTime", str(int(rang)))]
    sw.emit(ev.agent_event("AgentConnect", one, a1, q, member, *extra))
    call.connected.set()
    bridge = sw.model.bridge_id()
    one.bridge = a1.bridge = bridge
    sw.emit(ev.bridge_event("BridgeCreate", bridge, 0))
    sw.emit(ev.bridge_event("BridgeEnter", bridge, 1, a1))
    sw.emit(ev.bridge_event("BridgeEnter", bridge, 2, one))
    if sw.noise:
        sw.emit(ev.varset(a1, "BRIDGEPEER", one.name))
        sw.emit(ev.varset(one, "BRIDGEPEER", a1.name))
    answered = sw.now()
    got = await call.wait(sw, INUSE_AFTER_S)
    if got is None:
        agent_dialplan(sw, a2, ext, ["INUSE"])
        member_status(sw, member, "2", queue=q)
        agent_dialplan(sw, a2, ext, ["Return"])
    plan = spec.transfer_after_s if spec.transfer_to else spec.talk_s
    if got is None:
        got = await call.wait(sw, plan - INUSE_AFTER_S)
    talk = int(sw.now() - answered)
    q.completed += 1
    q.talktime = (q.talktime * (q.completed - 1) + talk) // q.completed
    member.calls_taken += 1
    member.last_call = int(sw.now())
    kind = got.kind if got is not None else ("transfer" if spec.transfer_to else spec.hangup_by)
    if kind == "transfer":
        exten = got.exten if got is not None else str(spec.transfer_to)
        spec.transfer_to = None  # the next queue's agent talks normally
        return transfer(sw, call, q, member, (hold, talk), exten), target_queue(sw, exten, "")
    if kind == "redirect" and got is not None:
        moved = redirected(sw, call, q, member, hold, answered, got.exten)
        return moved, target_queue(sw, got.exten, "")
    if kind == "atxfer" and got is not None:
        call.talking = (q, member, hold, answered)  # the dialplan side runs the consultation
        return "atxfer", got.exten
    if kind in ("agent", "hangup-agent"):
        agent_hangs_up(sw, call, q, member, hold, talk)
    else:
        caller_ends(sw, call, q, member, hold, talk)
    return "answered", ""


def agent_gone(sw: Switch, call: CallHandle, m: Member, wrapup: int) -> None:
    """The agent pair's hangup handler sets the device back to idle; wrap-up starts."""
    assert call.agent_legs is not None
    a1, a2 = call.agent_legs
    ext = extension(m)
    if sw.noise:
        a2.context, a2.exten, a2.priority = "cc-agent-free", "s", "1"
        sw.emit(ev.varset(a2, "LOCAL(ARG1)", ext))
        sw.emit(ev.varset(a2, "LOCAL(ARGC)", "1"))
        sw.emit(ev.newexten(a2, "Set", f"DEVICE_STATE(Custom:agent{ext})=NOT_INUSE"))
    sw.emit(ev.hangup(a1))
    member_status(sw, m, "1")
    if sw.noise:
        a2.priority = "2"
        sw.emit(ev.newexten(a2, "Return"))
        for var in ("ARGC", "ARG1", "GOSUB_RETVAL"):
            sw.emit(ev.varset(a2, var, ""))
    m.agent.wrapup_until = sw.now() + wrapup
    sw.emit(ev.hangup(a2))
    drop(sw, a1, a2)
    call.agent_legs = None


def caller_ends(sw: Switch, call: CallHandle, q: Queue, m: Member, hold: int, talk: int) -> None:
    """Caller hangs up: its twin goes first, AgentComplete Reason=caller, then the agent pair."""
    assert call.agent_legs is not None
    one, two = call.caller, call.twin
    a1, a2 = call.agent_legs
    sw.emit(ev.chan_event("SoftHangupRequest", two, ("Cause", "16")))
    sw.emit(ev.chan_event("HangupRequest", one, ("Cause", "16")))
    sw.emit(ev.hangup(two))
    sw.emit(ev.device_state("Local/s@caller-sim", "NOT_INUSE"))
    complete(sw, call, q, m, hold, talk, "caller")
    sw.emit(ev.bridge_event("BridgeLeave", one.bridge, 1, one))
    queue_vars(sw, one, q)
    sw.emit(ev.chan_event("SoftHangupRequest", one, ("Cause", "16")))
    flush_held(sw, call)
    sw.emit(ev.hangup(one))
    sw.emit(ev.bridge_event("BridgeLeave", a1.bridge, 0, a1))
    sw.emit(ev.bridge_event("BridgeDestroy", a1.bridge, 0))
    sw.emit(ev.chan_event("HangupRequest", a2, ("Cause", "16")))
    sw.emit(ev.chan_event("HangupHandlerRun", a2, hangup_handler(extension(m)), priv=ev.DIALPLAN))
    agent_gone(sw, call, m, q.wrapuptime)
    drop(sw, one, two)


def agent_hangs_up(sw: Switch, call: CallHandle, q: Queue, m: Member, hold: int, talk: int) -> None:
    """Agent hangs up: device idle, AgentComplete Reason=agent, agent pair, then the caller pair."""
    assert call.agent_legs is not None
    one, two = call.caller, call.twin
    a1, a2 = call.agent_legs
    sw.emit(ev.chan_event("SoftHangupRequest", a2, ("Cause", "16")))
    sw.emit(ev.chan_event("HangupHandlerRun", a2, hangup_handler(extension(m)), priv=ev.DIALPLAN))
    member_status(sw, m, "1", queue=q)
    m.agent.wrapup_until = sw.now() + q.wrapuptime
    sw.emit(ev.chan_event("HangupRequest", a1, ("Cause", "16")))
    complete(sw, call, q, m, hold, talk, "agent")
    sw.emit(ev.hangup(a2))
    sw.emit(ev.bridge_event("BridgeLeave", a1.bridge, 1, a1))
    sw.emit(ev.hangup(a1))
    sw.emit(ev.bridge_event("BridgeLeave", one.bridge, 0, one))
    sw.emit(ev.bridge_event("BridgeDestroy", one.bridge, 0))
    queue_vars(sw, one, q)
    sw.emit(ev.chan_event("SoftHangupRequest", one, ("Cause", "16")))
    flush_held(sw, call)
    sw.emit(ev.chan_event("HangupRequest", two, ("Cause", "16")))
    sw.emit(ev.hangup(two))
    sw.emit(ev.hangup(one))
    sw.emit(ev.device_state("Local/s@caller-sim", "NOT_INUSE"))
    drop(sw, one, two, a1, a2)
    call.agent_legs = None
