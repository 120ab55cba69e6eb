"""Attended transfer (AMI Atxfer) of an answered queue call to a 700X queue target."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from callcenter.sim import events as ev
from callcenter.sim.callerleg import caller_hangs_up
from callcenter.sim.members import extension, hangup_handler, member_status
from callcenter.sim.model import Channel, Message
from callcenter.sim.queueing import run_queue
from callcenter.sim.switch import CallHandle, CallSpec, Switch, drop
from callcenter.sim.transfer import target_queue

ATXFER_COMPLETE_S = 1.0  # the first agent hangs up this long after the consultation is answered
DTMF_GAP_S = 0.06


def _prefixed(block: Message, old: str, new: str) -> Message:
    return [(new + k.removeprefix(old), v) for k, v in block]


def _dtmf(a1: Channel, digit: str) -> Message:
    extra = [("Digit", digit), ("DurationMs", "0"), ("Direction", "Received")]
    return ev.event("DTMFEnd", "dtmf,all", a1.headers(), extra)


async def attended(sw: Switch, call: CallHandle, spec: CallSpec, exten: str) -> str:
    """Atxfer: *2 + digits, Hold, a consultation Local pair whose ;2 queues at the target;
    when the first agent hangs up the bridges merge (AttendedTransfer, Reason=transfer)."""
    assert call.agent_legs is not None and call.talking is not None
    q, m, hold, answered = call.talking
    one, a1 = call.caller, call.agent_legs[0]
    for n, digit in enumerate(["*", "2", *exten]):
        sw.emit(_dtmf(a1, digit))
        if n == 1:
            sw.emit(ev.chan_event("Hold", a1))
            sw.emit(ev.chan_event("MusicOnHoldStart", one, ("Class", "default")))
        await sw.sleep(DTMF_GAP_S)
    c1, c2 = sw.model.local_pair(f"{exten}@cc-transfer", sw.now(), linkedid=one.linkedid)
    for ch in (c1, c2):
        ch.cid_num, ch.cid_name = one.cid_num, one.cid_name
    consult = sw.model.bridge_id()
    sw.emit(ev.chan_event("Newchannel", c1))
    sw.emit(ev.chan_event("Newchannel", c2))
    sw.emit(ev.bridge_event("BridgeCreate", consult, 0))
    sw.emit(ev.local_bridge(c1, c2))
    c1.bridge = consult
    sw.emit(ev.bridge_event("BridgeEnter", consult, 1, c1))
    sub = CallHandle(c2, c1)
    sub_spec = replace(spec, patience_s=None, transfer_to=None, hangup_by="agent", entry=exten)
    queue = target_queue(sw, exten, q.name)
    task = asyncio.ensure_future(run_queue(sw, sub, sub_spec, queue, 600.0))
    sw.emit(ev.bridge_event("BridgeLeave", one.bridge, 1, a1))
    sw.emit(ev.bridge_event("BridgeEnter", consult, 2, a1))
    while not task.done() and not sub.connected.is_set():
        got = await call.wait(sw, 0.2)
        if got is not None and got.kind in ("hangup-agent", "hangup-caller"):
            break
    if sub.connected.is_set():
        await call.wait(sw, ATXFER_COMPLETE_S)
    a2 = call.agent_legs[1]
    sw.emit(ev.chan_event("SoftHangupRequest", a2, ("Cause", "16")))
    sw.emit(ev.chan_event("HangupHandlerRun", a2, hangup_handler(extension(m)), priv=ev.DIALPLAN))
    sw.emit(ev.chan_event("HangupRequest", a1, ("Cause", "16")))
    sw.emit(ev.bridge_event("BridgeLeave", consult, 1, a1))
    merge = _prefixed(ev.bridge_fields(one.bridge, 1), "Bridge", "ToBridge")
    merge += _prefixed(ev.bridge_fields(consult, 1), "Bridge", "FromBridge")
    sw.emit(ev.event("BridgeMerge", ev.CALL, merge))
    sw.emit(ev.bridge_event("BridgeLeave", consult, 0, c1))
    sw.emit(ev.chan_event("MusicOnHoldStop", one))
    sw.emit(ev.hangup(a2))
    c1.bridge = one.bridge
    sw.emit(ev.bridge_event("BridgeEnter", one.bridge, 2, c1))
    sw.emit(
        ev.event(
            "AttendedTransfer",
            ev.CALL,
            [("Result", "Success")],
            a1.headers("OrigTransferer"),
            _prefixed(ev.bridge_fields(one.bridge, 2), "Bridge", "OrigBridge"),
            a1.headers("SecondTransferer"),
            _prefixed(ev.bridge_fields(consult, 0), "Bridge", "SecondBridge"),
            one.headers("Transferee"),
            c1.headers("TransferTarget"),
            [("IsExternal", "No"), ("DestType", "Bridge"), ("DestBridgeUniqueid", one.bridge)],
        )
    )
    talk = int(sw.now() - answered)
    extra = [("HoldTime", str(hold)), ("TalkTime", str(talk)), ("Reason", "transfer")]
    sw.emit(ev.agent_event("AgentComplete", one, a1, q, m, *extra))
    sw.emit(ev.bridge_event("BridgeDestroy", consult, 0))
    sw.emit(ev.hangup(a1))
    member_status(sw, m, "1")
    m.agent.wrapup_until = sw.now() + q.wrapuptime
    drop(sw, a1, a2)
    call.agent_legs = None
    await task  # the customer now talks to the target through the consultation pair
    sw.emit(ev.bridge_event("BridgeLeave", one.bridge, 0, one))
    sw.emit(ev.bridge_event("BridgeDestroy", one.bridge, 0))
    caller_hangs_up(sw, call, after_queue=True)
    return "answered"
