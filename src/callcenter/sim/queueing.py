"""app_queue's part of a call: waiting, ringing members one at a time, connect, talk, teardown."""

from __future__ import annotations

from callcenter.sim import events as ev
from callcenter.sim.model import TRANSFER_TARGETS, UNKNOWN, Channel, Member, Queue
from callcenter.sim.scenario import CallHandle, CallSpec, Interrupt, Switch, caller_hangs_up

POLL_S = 0.5  # how often a caller with no free member looks again (simulated seconds)
QUEUE_VARS = (
    "QUEUENAME",
    "QUEUEMAX",
    "QUEUESTRATEGY",
    "QUEUECALLS",
    "QUEUEHOLDTIME",
    "QUEUETALKTIME",
    "QUEUECOMPLETED",
    "QUEUEABANDONED",
    "QUEUESRVLEVEL",
    "QUEUESRVLEVELPERF",
)


def queue_vars(sw: Switch, ch: Channel, q: Queue) -> None:
    """The QUEUE* variables app_queue sets on a channel (pure dialplan noise)."""
    if not sw.noise:
        return
    values = (
        q.name,
        "0",
        q.strategy,
        str(len(q.waiting)),
        str(q.holdtime),
        str(q.talktime),
        str(q.completed),
        str(q.abandoned),
        "30",
        "0.0",
    )
    for name, value in zip(QUEUE_VARS, values, strict=True):
        sw.emit(ev.varset(ch, name, value))


def member_status(sw: Switch, member: Member, status: str, *, queue: Queue | None = None) -> None:
    """A device state change: one QueueMemberStatus per queue the agent is in."""
    agent = member.agent
    agent.status = status
    ext = agent.state_interface.removeprefix("Custom:agent")
    sw.emit(ev.extension_status(ext, status))
    sw.emit(ev.device_state(agent.state_interface, ev.DEVICE_TEXT[status]))
    for q, m in sw.model.memberships(agent.interface):
        if queue is not None and q is queue:
            m.in_call = status == "2"
        sw.emit(ev.member_event("QueueMemberStatus", q, m))


def leave(sw: Switch, call: CallHandle, q: Queue, *, abandon: bool) -> None:
    """QueueCallerAbandon (if so) then QueueCallerLeave, positions renumbered."""
    one = call.caller
    position = q.waiting.index(one) + 1 if one in q.waiting else 1
    waited = int(sw.now() - q.joined_at.get(one.name, sw.now()))
    if abandon:
        q.abandoned += 1
        queue_vars(sw, one, q)
        extra = [("Position", str(position)), ("OriginalPosition", "1"), ("HoldTime", str(waited))]
        sw.emit(ev.queue_caller("QueueCallerAbandon", one, q, *extra))
    if one in q.waiting:
        q.waiting.remove(one)
    sw.emit(ev.device_state(f"Queue:{q.name}", "NOT_INUSE" if not q.waiting else "RINGING"))
    count = ("Count", str(len(q.waiting)))
    sw.emit(ev.queue_caller("QueueCallerLeave", one, q, ("Position", str(position)), count))


def cancel_ring(sw: Switch, call: CallHandle, member: Member, *, noanswer: bool) -> None:
    """End a ring attempt that nobody answered: DialEnd, the agent pair hangs up (Cause 0)."""
    assert call.agent_legs is not None
    a1, a2 = call.agent_legs
    if noanswer:
        sw.emit(ev.dial("DialEnd", call.caller, a1, ("DialStatus", "NOANSWER")))
    sw.emit(ev.dial("DialEnd", call.caller, a1, ("DialStatus", "CANCEL")))
    sw.emit(ev.hangup(a1, "0"))
    sw.emit(ev.hangup(a2, "0"))
    member_status(sw, member, "1")
    sw.model.channels.pop(a1.name, None)
    sw.model.channels.pop(a2.name, None)
    call.agent_legs = None


def ring(sw: Switch, call: CallHandle, q: Queue, member: Member, spec: CallSpec) -> None:
    """A new agent Local pair for this ring attempt: AgentCalled, DialBegin, ringing."""
    one = call.caller
    ext = member.agent.state_interface.removeprefix("Custom:agent")
    target = member.agent.interface.removeprefix("Local/").removesuffix("/n")
    a1, a2 = sw.model.local_pair(target, sw.now(), linkedid=one.linkedid)
    call.agent_legs = (a1, a2)
    sw.emit(ev.chan_event("Newchannel", a1))
    sw.emit(ev.chan_event("Newchannel", a2))
    # A withheld caller shows the dialled entry point as the agent leg's number.
    num = one.cid_num if one.cid_num != UNKNOWN else spec.entry
    a1.cid_num, a1.cid_name = num, one.cid_name
    if sw.noise:
        sw.emit(ev.newexten(a1, "AppQueue", "(Outgoing Line)"))
    sw.emit(ev.chan_event("NewCallerid", a1, ("CID-CallingPres", ev.PRES_ALLOWED)))
    a2.cid_num, a2.cid_name, a2.conn_num, a2.conn_name = num, one.cid_name, num, one.cid_name
    sw.emit(ev.chan_event("NewCallerid", a2, ("CID-CallingPres", ev.PRES_ALLOWED)))
    sw.emit(ev.chan_event("NewConnectedLine", a2))
    sw.emit(ev.local_bridge(a1, a2))
    dest = {"ConnectedLineNum": num, "ConnectedLineName": one.cid_name, "Exten": one.exten}
    sw.emit(ev.agent_event("AgentCalled", one, a1, q, member, dest_override=dest))
    sw.emit(ev.dial("DialBegin", one, a1, ("DialString", member.agent.interface)))
    agent_dialplan(sw, a2, ext, ["NoOp", "AG_M", "AG_R", "AG_T", "RINGING"])
    member_status(sw, member, "6")
    agent_dialplan(sw, a2, ext, ["push"])
    handler = f"agent-hangup,s,1({ext})"
    sw.emit(ev.chan_event("HangupHandlerPush", a2, ("Handler", handler), priv=ev.DIALPLAN))
    agent_dialplan(sw, a2, ext, ["busy", "Ringing"])
    a1.state, a1.exten, a1.conn_num, a1.conn_name = "5", one.exten, num, one.cid_name
    sw.emit(ev.chan_event("Newstate", a1))
    sw.emit(ev.chan_event("NewConnectedLine", a1))
    sw.emit(ev.device_state(f"Local/{target.rsplit('/', 1)[0]}", "INUSE"))
    sw.emit(ev.dial("DialState", one, a1, ("DialStatus", "RINGING")))
    agent_dialplan(sw, a2, ext, ["noanswer", "Wait"])


# The recorded [agents] dialplan, step by step: (priority, application, data, variable set).
AGENT_STEPS = {
    "NoOp": ("1", "NoOp", "Agent {ext} offered a call", None),
    "AG_M": ("2", "Set", "AG_M=answer", ("AG_M", "answer")),
    "AG_R": ("3", "Set", "AG_R=3", ("AG_R", "3")),
    "AG_T": ("4", "Set", "AG_T=600", ("AG_T", "600")),
    "RINGING": ("5", "Set", "DEVICE_STATE(Custom:agent{ext})=RINGING", None),
    "push": ("6", "Set", "CHANNEL(hangup_handler_push)=agent-hangup,s,1({ext})", None),
    "busy": ("7", "GotoIf", "0?busy", None),
    "Ringing": ("8", "Ringing", "", None),
    "noanswer": ("9", "GotoIf", "0?noanswer", None),
    "Wait": ("10", "Wait", "3", None),
    "Answer": ("11", "Answer", "", None),
    "INUSE": ("12", "Set", "DEVICE_STATE(Custom:agent{ext})=INUSE", None),
    "Talk": ("13", "Wait", "600", None),
}


def agent_dialplan(sw: Switch, a2: Channel, ext: str, steps: list[str]) -> None:
    """Newexten (and VarSet) noise of the agent's own dialplan on the ;2 half."""
    if not sw.noise:
        return
    for step in steps:
        prio, app, data, var = AGENT_STEPS[step]
        a2.priority = prio
        sw.emit(ev.newexten(a2, app, data.format(ext=ext)))
        if var is not None:
            sw.emit(ev.varset(a2, *var))


async def run_queue(sw: Switch, call: CallHandle, spec: CallSpec, name: str) -> tuple[str, str]:
    """Queue(name): returns (outcome, next queue) — answered, abandoned, timeout, moved."""
    q = sw.model.queues[name]
    one = call.caller
    one.priority, one.application, one.app_data = "10", "Queue", f"{name},,,,600"
    if sw.noise:
        sw.emit(ev.newexten(one, "Queue", one.app_data))
        for var in (
            "ANSWEREDTIME",
            "ANSWEREDTIME_MS",
            "DIALEDTIME",
            "DIALEDTIME_MS",
            "QUEUEWAIT",
            "QUEUEWAIT_MS",
        ):
            sw.emit(ev.varset(one, var, ""))
    joined = sw.now()
    q.waiting.append(one)
    q.joined_at[one.name] = joined
    sw.emit(ev.device_state(f"Queue:{name}", "RINGING"))
    pos = str(len(q.waiting))
    sw.emit(ev.queue_caller("QueueCallerJoin", one, q, ("Position", pos), ("Count", pos)))
    sw.emit(ev.chan_event("MusicOnHoldStart", one, ("Class", "default")))
    give_up = joined + spec.patience_s if spec.patience_s is not None else float("inf")
    time_out = joined + spec.max_wait_s
    while True:
        now = sw.now()
        # Callers ring in queue order; with several free members the next callers ring too
        # (app_queue's autofill).
        place = q.waiting.index(one) if one in q.waiting else 0
        free = q.free_members(now)
        free = free if len(free) > place else []
        if not free:
            got = await call.wait(sw, min(POLL_S, give_up - now, time_out - now))
            now = sw.now()
            if got is not None:
                return await interrupted_waiting(sw, call, q, got)
            if now >= give_up - 1e-6:
                return abandon(sw, call, q), ""
            if now >= time_out - 1e-6:
                sw.emit(ev.chan_event("MusicOnHoldStop", one))
                leave(sw, call, q, abandon=True)
                return "timeout", ""
            continue
        member = free[0]
        q.rr_last = list(q.members).index(member.agent.interface)
        ext = member.agent.state_interface.removeprefix("Custom:agent")
        answer_after = spec.answer(ext)
        ring(sw, call, q, member, spec)
        started = sw.now()
        limits = [started + q.timeout, give_up, time_out]
        if answer_after is not None:
            limits.append(started + answer_after)
        end = min(limits)
        got = await call.wait(sw, end - started)
        rang = end - started  # as planned: the loop's jitter is not the PBX's
        if got is not None:
            cancel_ring(sw, call, member, noanswer=False)
            return await interrupted_waiting(sw, call, q, got)
        if answer_after is not None and end == started + answer_after and end < give_up:
            from callcenter.sim.talk import connect

            return await connect(sw, call, spec, q, member, joined, rang)
        if end >= give_up:
            cancel_ring(sw, call, member, noanswer=False)
            return abandon(sw, call, q), ""
        ring_ms = ("RingTime", str(int(rang * 1000)))
        sw.emit(ev.agent_event("AgentRingNoAnswer", one, call.agent_legs[0], q, member, ring_ms))  # type: ignore[index]
        cancel_ring(sw, call, member, noanswer=True)
        if end >= time_out:
            sw.emit(ev.chan_event("MusicOnHoldStop", one))
            leave(sw, call, q, abandon=True)
            return "timeout", ""
        got = await call.wait(sw, min(q.retry, time_out - sw.now()))
        if got is not None:
            return await interrupted_waiting(sw, call, q, got)


def abandon(sw: Switch, call: CallHandle, q: Queue) -> str:
    """The caller hangs up while waiting: QueueCallerAbandon before QueueCallerLeave."""
    one, two = call.caller, call.twin
    sw.emit(ev.chan_event("SoftHangupRequest", two, ("Cause", "16")))
    sw.emit(ev.chan_event("HangupRequest", one, ("Cause", "16")))
    sw.emit(ev.hangup(two))
    sw.emit(ev.chan_event("MusicOnHoldStop", one))
    if sw.noise:
        sw.emit(ev.varset(one, "ABANDONED", "TRUE"))
    leave(sw, call, q, abandon=True)
    sw.emit(ev.chan_event("SoftHangupRequest", one, ("Cause", "16")))
    sw.emit(ev.hangup(one))
    sw.emit(ev.device_state("Local/s@caller-sim", "NOT_INUSE"))
    sw.model.channels.pop(one.name, None)
    sw.model.channels.pop(two.name, None)
    return "abandoned"


async def interrupted_waiting(
    sw: Switch, call: CallHandle, q: Queue, got: Interrupt
) -> tuple[str, str]:
    """An action reached a waiting caller: hang-up abandons, Redirect moves it elsewhere."""
    if got.kind in ("hangup-caller", "hangup-agent"):
        return abandon(sw, call, q), ""
    sw.emit(ev.chan_event("MusicOnHoldStop", call.caller))
    leave(sw, call, q, abandon=False)
    target = TRANSFER_TARGETS.get(got.exten) or (got.exten if got.exten in sw.model.queues else "")
    if not target:
        caller_hangs_up(sw, call, after_queue=True)
        return "abandoned", ""
    call.caller.context, call.caller.exten, call.caller.priority = got.context, got.exten, "1"
    return "moved", target
