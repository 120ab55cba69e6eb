"""Queue members' device state, the agents' own dialplan, and the QUEUE* variable noise."""

from __future__ import annotations

from callcenter.sim import events as ev
from callcenter.sim.model import Channel, Member, Queue
from callcenter.sim.switch import Switch

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
# The shipped [agents] dialplan and its gosubs: (context, exten or None for the agent's own,
# priority, application, data).
AGENT_STEPS = {
    "RINGING": ("agents", None, "1", "Set", "DEVICE_STATE(Custom:agent{ext})=RINGING"),
    "push": ("agents", None, "2", "Set", "CHANNEL(hangup_handler_push)=cc-agent-free,s,1({ext})"),
    "Dial": ("agents", None, "3", "Dial", "PJSIP/{ext},,U(cc-agent-busy^{ext})"),
    "INUSE": ("cc-agent-busy", "s", "1", "Set", "DEVICE_STATE(Custom:agent{ext})=INUSE"),
    "Return": ("cc-agent-busy", "s", "2", "Return", ""),
}


def extension(member: Member) -> str:
    """The agent's extension (1001) from its Custom:agent1001 state interface."""
    return member.agent.state_interface.removeprefix("Custom:agent")


def hangup_handler(ext: str) -> tuple[str, str]:
    """The Handler field of HangupHandlerPush/Run for an agent leg."""
    return ("Handler", f"cc-agent-free,s,1({ext})")


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
        if status != "2":
            m.in_call = False  # the device is free again: no queue call holds the member
        elif queue is not None and q is queue:
            m.in_call = True
        sw.emit(ev.member_event("QueueMemberStatus", q, m))


def agent_dialplan(sw: Switch, a2: Channel, ext: str, steps: list[str]) -> None:
    """Newexten noise of the agent's own dialplan on the ;2 half."""
    if not sw.noise:
        return
    for step in steps:
        context, exten, prio, app, data = AGENT_STEPS[step]
        saved = (a2.context, a2.exten, a2.priority)
        a2.context, a2.exten, a2.priority = context, exten or ext, prio
        sw.emit(ev.newexten(a2, app, data.format(ext=ext)))
        if context != "agents":
            a2.context, a2.exten, a2.priority = saved


def leave(sw: Switch, one: Channel, q: Queue, *, abandon: bool) -> None:
    """QueueCallerAbandon (if so) then QueueCallerLeave, positions renumbered."""
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
