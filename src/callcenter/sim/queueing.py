"""app_queue's part of a call: waiting, ringing members one at a time, abandon, withdraw, moves,
and a caller leaving by a digit of the queues' `context` (queues.conf: cc-queue-exit, exten 1)."""

from __future__ import annotations

from callcenter.sim import events as ev
from callcenter.sim.callerleg import caller_hangs_up
from callcenter.sim.members import agent_dialplan, extension, hangup_handler, leave, member_status
from callcenter.sim.model import TRANSFER_TARGETS, UNKNOWN, Member, Queue
from callcenter.sim.recording import RECORD_GOSUB
from callcenter.sim.switch import CallHandle, CallSpec, Interrupt, Switch, drop
from callcenter.sim.talk import connect

POLL_S = 0.5  # how often a caller with no free member looks again (simulated seconds)
WITHDRAW_AFTER_S = 1.0  # app_queue notices a withdraw request about a second later
RESULT_VARS = ("ANSWEREDTIME", "ANSWEREDTIME_MS", "DIALEDTIME", "DIALEDTIME_MS")
EXIT_CONTEXT, EXIT_DIGITS = "cc-queue-exit", frozenset({"1"})  # the shipped exit context's extens


async def _wait(sw: Switch, call: CallHandle, seconds: float) -> Interrupt | None:
    """Wait for an interrupt; a digit no exit extension matches is dropped (valid_exit)."""
    end = sw.now() + seconds
    while True:
        got = await call.wait(sw, end - sw.now())
        if got is None or got.kind != "digit" or got.exten in EXIT_DIGITS:
            return got


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
    drop(sw, a1, a2)
    call.agent_legs = None


def ring(sw: Switch, call: CallHandle, q: Queue, member: Member, spec: CallSpec) -> None:
    """A new agent Local pair for this ring attempt: AgentCalled, DialBegin, ringing."""
    one = call.caller
    ext = extension(member)
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
    agent_dialplan(sw, a2, ext, ["RINGING"])
    member_status(sw, member, "6")
    agent_dialplan(sw, a2, ext, ["push"])
    sw.emit(ev.chan_event("HangupHandlerPush", a2, hangup_handler(ext), priv=ev.DIALPLAN))
    agent_dialplan(sw, a2, ext, ["Dial"])
    a1.state, a1.exten, a1.conn_num, a1.conn_name = "5", one.exten, num, one.cid_name
    sw.emit(ev.chan_event("Newstate", a1))
    sw.emit(ev.chan_event("NewConnectedLine", a1))
    sw.emit(ev.device_state(f"Local/{target.rsplit('/', 1)[0]}", "INUSE"))
    sw.emit(ev.dial("DialState", one, a1, ("DialStatus", "RINGING")))


def join(sw: Switch, call: CallHandle, q: Queue, timeout: float) -> None:
    """Queue(): the caller joins, hears music on hold."""
    one = call.caller
    one.application = "Queue"
    one.app_data = f"{q.name},t,,,{int(timeout) if timeout < 600 else ''},,{RECORD_GOSUB}"
    if sw.noise:
        sw.emit(ev.newexten(one, "Queue", one.app_data))
        for var in (*RESULT_VARS, "QUEUEWAIT", "QUEUEWAIT_MS"):
            sw.emit(ev.varset(one, var, ""))
    q.waiting.append(one)
    q.joined_at[one.name] = sw.now()
    sw.emit(ev.device_state(f"Queue:{q.name}", "RINGING"))
    pos = str(len(q.waiting))
    sw.emit(ev.queue_caller("QueueCallerJoin", one, q, ("Position", pos), ("Count", pos)))
    sw.emit(ev.chan_event("MusicOnHoldStart", one, ("Class", "default")))


async def run_queue(
    sw: Switch, call: CallHandle, spec: CallSpec, name: str, max_wait_s: float
) -> tuple[str, str]:
    """Queue(name): (outcome, next queue); answered, abandoned, timeout, withdrawn, moved."""
    q = sw.model.queues[name]
    one = call.caller
    join(sw, call, q, max_wait_s)
    joined = sw.now()
    give_up = joined + spec.patience_s if spec.patience_s is not None else float("inf")
    time_out = joined + max_wait_s
    while True:
        now = sw.now()
        # Callers ring in queue order; with several free members the next callers ring too
        # (app_queue's autofill).
        place = q.waiting.index(one) if one in q.waiting else 0
        free = q.free_members(now)
        free = free if len(free) > place else []
        if not free:
            got = await _wait(sw, call, min(POLL_S, give_up - now, time_out - now))
            now = sw.now()
            if got is not None:
                return await interrupted_waiting(sw, call, q, got)
            if now >= give_up - 1e-6:
                return abandon(sw, call, q), ""
            if now >= time_out - 1e-6:
                sw.emit(ev.chan_event("MusicOnHoldStop", one))
                leave(sw, one, q, abandon=True)
                return "timeout", ""
            continue
        member = free[0]
        q.rr_last = list(q.members).index(member.agent.interface)
        answer_after = spec.answer(extension(member))
        ring(sw, call, q, member, spec)
        started = sw.now()
        limits = [started + q.timeout, give_up, time_out]
        if answer_after is not None:
            limits.append(started + answer_after)
        end = min(limits)
        got = await _wait(sw, call, end - started)
        rang = end - started  # as planned: the loop's jitter is not the PBX's
        if got is not None:
            cancel_ring(sw, call, member, noanswer=False)
            return await interrupted_waiting(sw, call, q, got)
        if answer_after is not None and end == started + answer_after and end < give_up:
            return await connect(sw, call, spec, q, member, joined, rang)
        if end >= give_up:
            cancel_ring(sw, call, member, noanswer=False)
            return abandon(sw, call, q), ""
        assert call.agent_legs is not None
        ring_ms = ("RingTime", str(int(rang * 1000)))
        sw.emit(ev.agent_event("AgentRingNoAnswer", one, call.agent_legs[0], q, member, ring_ms))
        cancel_ring(sw, call, member, noanswer=True)
        if end >= time_out:
            sw.emit(ev.chan_event("MusicOnHoldStop", one))
            leave(sw, one, q, abandon=True)
            return "timeout", ""
        got = await _wait(sw, call, min(q.retry, time_out - sw.now()))
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
    leave(sw, one, q, abandon=True)
    sw.emit(ev.chan_event("SoftHangupRequest", one, ("Cause", "16")))
    sw.emit(ev.hangup(one))
    sw.emit(ev.device_state("Local/s@caller-sim", "NOT_INUSE"))
    drop(sw, one, two)
    return "abandoned"


async def withdraw(sw: Switch, call: CallHandle, q: Queue, info: str) -> str:
    """QueueWithdrawCaller: a second later the caller leaves as if abandoning; WITHDRAW status."""
    one = call.caller
    await sw.sleep(WITHDRAW_AFTER_S)
    if sw.noise:
        for var in RESULT_VARS:
            sw.emit(ev.varset(one, var, "0"))
        sw.emit(ev.varset(one, "ABANDONED", "TRUE"))
    position = q.waiting.index(one) + 1 if one in q.waiting else 1
    waited = int(sw.now() - q.joined_at.get(one.name, sw.now()))
    q.abandoned += 1
    extra = [("Position", str(position)), ("OriginalPosition", "1"), ("HoldTime", str(waited))]
    sw.emit(ev.queue_caller("QueueCallerAbandon", one, q, *extra))
    if info:
        sw.emit(ev.varset(one, "QUEUE_WITHDRAW_INFO", info))
    sw.emit(ev.chan_event("MusicOnHoldStop", one))
    leave(sw, one, q, abandon=False)
    sw.emit(ev.varset(one, "QUEUESTATUS", "WITHDRAW"))
    return "withdrawn"


def key_exit(sw: Switch, call: CallHandle, q: Queue, digit: str) -> str:
    """valid_exit: the caller pressed a digit the queue's context has. app_queue jumps there and
    leaves: QueueCallerLeave only (no QueueCallerAbandon, no ABANDONED), and QUEUESTATUS is not
    set (the result stays QUEUE_UNKNOWN); the queue_log line is EXITWITHKEY."""
    one = call.caller
    sw.emit(ev.chan_event("MusicOnHoldStop", one))
    leave(sw, one, q, abandon=False)
    one.context, one.exten, one.priority = EXIT_CONTEXT, digit, "1"
    return "keypress"


async def interrupted_waiting(
    sw: Switch, call: CallHandle, q: Queue, got: Interrupt
) -> tuple[str, str]:
    """An action reached a waiting caller: hang-up abandons, withdraw leaves, a digit exits,
    Redirect moves."""
    if got.kind in ("hangup-caller", "hangup-agent"):
        return abandon(sw, call, q), ""
    if got.kind == "withdraw":
        return await withdraw(sw, call, q, got.exten), ""
    if got.kind == "digit":
        return key_exit(sw, call, q, got.exten), ""
    sw.emit(ev.chan_event("MusicOnHoldStop", call.caller))
    leave(sw, call.caller, q, abandon=False)
    target = TRANSFER_TARGETS.get(got.exten) or (got.exten if got.exten in sw.model.queues else "")
    if not target:
        caller_hangs_up(sw, call, after_queue=True)
        return "abandoned", ""
    call.caller.context, call.caller.exten, call.caller.priority = got.context, got.exten, "1"
    return "moved", target
