"""Transfers of an answered queue call: BlindTransfer, and AMI Redirect of the customer."""

from __future__ import annotations

from callcenter.sim import events as ev
from callcenter.sim.members import extension, hangup_handler, member_status
from callcenter.sim.model import TRANSFER_TARGETS, Member, Queue
from callcenter.sim.switch import CallHandle, HeldComplete, Switch, drop


def target_queue(sw: Switch, exten: str, fallback: str) -> str:
    """The queue a 700X transfer target (or a queue name) leads to."""
    return TRANSFER_TARGETS.get(exten) or (exten if exten in sw.model.queues else fallback)


def _agent_leg_ends(sw: Switch, call: CallHandle, m: Member) -> None:
    """The first agent's pair goes once the customer has left its bridge."""
    assert call.agent_legs is not None
    a1, a2 = call.agent_legs
    sw.emit(ev.chan_event("HangupRequest", a2, ("Cause", "16")))
    sw.emit(ev.bridge_event("BridgeDestroy", a1.bridge, 0))
    sw.emit(ev.hangup(a1))
    sw.emit(ev.chan_event("SoftHangupRequest", a2, ("Cause", "16")))
    sw.emit(ev.chan_event("HangupHandlerRun", a2, hangup_handler(extension(m)), priv=ev.DIALPLAN))
    member_status(sw, m, "1")
    sw.emit(ev.hangup(a2))
    drop(sw, a1, a2)
    call.agent_legs = None


def complete(
    sw: Switch, call: CallHandle, q: Queue, m: Member, hold: int, talk: int, why: str
) -> None:
    """AgentComplete with the caller and Dest blocks."""
    assert call.agent_legs is not None
    extra = [("HoldTime", str(hold)), ("TalkTime", str(talk)), ("Reason", why)]
    sw.emit(ev.agent_event("AgentComplete", call.caller, call.agent_legs[0], q, m, *extra))


def transfer(
    sw: Switch, call: CallHandle, q: Queue, m: Member, times: tuple[int, int], exten: str
) -> str:
    """BlindTransfer of the caller to a 700X target: AgentComplete Reason=transfer at once."""
    assert call.agent_legs is not None
    one, a1 = call.caller, call.agent_legs[0]
    target = target_queue(sw, exten, "")
    sw.emit(ev.chan_event("Unhold", a1))
    tail = [
        *ev.bridge_fields(one.bridge, 2),
        ("IsExternal", "Yes"),
        ("Context", "cc-transfer"),
        ("Extension", exten),
    ]
    transferer, transferee = a1.headers("Transferer"), one.headers("Transferee")
    sw.emit(
        ev.event("BlindTransfer", ev.CALL, [("Result", "Success")], transferer, transferee, tail)
    )
    complete(sw, call, q, m, *times, "transfer")
    sw.emit(ev.bridge_event("BridgeLeave", one.bridge, 1, one))
    sw.emit(ev.bridge_event("BridgeLeave", a1.bridge, 0, a1))
    _agent_leg_ends(sw, call, m)
    one.context, one.exten, one.priority, one.bridge = "cc-transfer", exten, "1", ""
    return "moved" if target else "answered"


def redirected(
    sw: Switch, call: CallHandle, q: Queue, m: Member, hold: int, answered: float, exten: str
) -> str:
    """AMI Redirect of the customer: no transfer event, the agent leg just ends, and this
    queue's AgentComplete waits until the customer hangs up."""
    assert call.agent_legs is not None
    one, a1 = call.caller, call.agent_legs[0]
    one.context, one.exten, one.priority = "cc-transfer", exten, "1"
    if sw.noise:
        sw.emit(ev.varset(one, "BRIDGEPEER", ""))
        sw.emit(ev.varset(a1, "BRIDGEPEER", ""))
    sw.emit(ev.bridge_event("BridgeLeave", one.bridge, 1, one))
    sw.emit(ev.bridge_event("BridgeLeave", a1.bridge, 0, a1))
    one.bridge = ""
    call.held.append(HeldComplete(q, m, hold, answered))
    m.agent.wrapup_until = sw.now() + q.wrapuptime
    _agent_leg_ends(sw, call, m)
    return "moved"
