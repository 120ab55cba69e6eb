"""Queue member actions: QueueAdd, QueueRemove, QueuePause, QueuePenalty."""

from __future__ import annotations

from callcenter.sim import events as ev
from callcenter.sim.host import AmiHost
from callcenter.sim.model import Agent, Member, Message
from callcenter.sim.replies import Action, Reply, error, get, response, truthy


def queue_add(sim: AmiHost, action: Action) -> Reply:
    """QueueAdd: a dynamic member; errors as app_queue words them."""
    qname, iface = get(action, "Queue"), get(action, "Interface")
    if not qname:
        return error(action, "'Queue' not specified.")
    if not iface:
        return error(action, "'Interface' not specified.")
    q = sim.model.queues.get(qname)
    if q is None:
        return error(action, "Unable to add interface to queue: No such queue")
    if iface in q.members:
        return error(action, "Unable to add interface: Already there")
    state_iface = get(action, "StateInterface") or iface
    agent: Agent = sim.model.agent(iface, get(action, "MemberName") or iface, state_iface)
    if not sim.model.memberships(iface):
        # A member added afresh has no last call; with shared_lastcall no other queue keeps
        # one either, so app_queue's wrapuptime no longer holds the agent.
        agent.wrapup_until = 0.0
    penalty = get(action, "Penalty")
    member = Member(
        agent=agent,
        penalty=int(penalty) if penalty.isdigit() else 0,
        paused=truthy(get(action, "Paused")),
        reason=get(action, "Reason"),
        membership="dynamic",
        login_time=int(sim.now()),
    )
    q.members[iface] = member
    events = [
        ev.device_state(f"Queue:{qname}_pause_{iface}", "INUSE" if member.paused else "NOT_INUSE"),
        ev.member_event("QueueMemberAdded", q, member),
        ev.device_state(f"Queue:{qname}_avail", "NOT_INUSE"),
    ]
    return Reply([response(action, "Success", "Added interface to queue")], events)


def queue_remove(sim: AmiHost, action: Action) -> Reply:
    """QueueRemove of a member."""
    qname, iface = get(action, "Queue"), get(action, "Interface")
    if not qname or not iface:
        return error(action, "Need 'Queue' and 'Interface' parameters.")
    q = sim.model.queues.get(qname)
    if q is None:
        return error(action, "Unable to remove interface from queue: No such queue")
    member = q.members.get(iface)
    if member is None:
        return error(action, "Unable to remove interface: Not there")
    if member.membership != "dynamic":
        return error(action, "Member not dynamic")  # members from queues.conf stay
    del q.members[iface]
    events = [ev.member_event("QueueMemberRemoved", q, member)]
    return Reply([response(action, "Success", "Removed interface from queue")], events)


def queue_pause(sim: AmiHost, action: Action) -> Reply:
    """QueuePause in one queue, or in every queue the interface is in when Queue is absent."""
    iface, paused_text, qname = (
        get(action, "Interface"),
        get(action, "Paused"),
        get(action, "Queue"),
    )
    if not iface or not paused_text:
        return error(action, "Need 'Interface' and 'Paused' parameters.")
    paused = truthy(paused_text)
    pairs = [(q, m) for q, m in sim.model.memberships(iface) if not qname or q.name == qname]
    if not pairs:
        return error(action, "Interface not found")
    events: list[Message] = []
    for q, m in pairs:
        m.paused, m.reason = paused, get(action, "Reason") if paused else ""
        if paused:
            m.last_pause = int(sim.now())
        state = "INUSE" if paused else "NOT_INUSE"
        events.append(ev.device_state(f"Queue:{q.name}_pause_{iface}", state))
        events.append(ev.member_event("QueueMemberPause", q, m))
    word = "paused" if paused else "unpaused"
    return Reply([response(action, "Success", f"Interface {word} successfully")], events)


def queue_penalty(sim: AmiHost, action: Action) -> Reply:
    """QueuePenalty in one queue (or all of the member's queues)."""
    iface, penalty, qname = get(action, "Interface"), get(action, "Penalty"), get(action, "Queue")
    if not iface or not penalty:
        return error(action, "Need 'Interface' and 'Penalty' parameters.")
    pairs = [(q, m) for q, m in sim.model.memberships(iface) if not qname or q.name == qname]
    if not penalty.isdigit() or not pairs:
        return error(action, "Invalid interface, queuename or penalty")
    events = []
    for q, m in pairs:
        m.penalty = int(penalty)
        events.append(ev.member_event("QueueMemberPenalty", q, m))
    return Reply([response(action, "Success", "Interface penalty set successfully")], events)
