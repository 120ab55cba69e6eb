"""AMI action handlers: each returns the replies for the asking session and events for everyone."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from callcenter.sim import events as ev
from callcenter.sim.model import LISTING_ORDER, Agent, Member, Message, Queue

if TYPE_CHECKING:
    from callcenter.sim.server import SimulatedAsterisk

Action = dict[str, str | list[str]]


@dataclass
class Reply:
    """What an action produced: messages to the caller first, then events to all sessions."""

    messages: list[Message] = field(default_factory=list)
    events: list[Message] = field(default_factory=list)


def get(action: Action, key: str) -> str:
    """A header value, case-insensitively; '' when missing (last one wins if repeated)."""
    for k, v in action.items():
        if k.lower() == key.lower():
            return v[-1] if isinstance(v, list) else v
    return ""


def response(action: Action, status: str, message: str, *extra: tuple[str, str]) -> Message:
    """Response: X / ActionID / (extra) / Message: …, the layout of manager.c's replies."""
    out: Message = [("Response", status)]
    if get(action, "ActionID"):
        out.append(("ActionID", get(action, "ActionID")))
    out.extend(extra)
    if message:
        out.append(("Message", message))
    return out


def error(action: Action, message: str) -> Reply:
    """A one-message `Response: Error` reply."""
    return Reply([response(action, "Error", message)])


def listing(action: Action, intro: str, items: list[Message], complete: str) -> Reply:
    """An EventList: start response, items tagged with the ActionID, then the …Complete event."""
    aid = get(action, "ActionID")
    tag: Message = [("ActionID", aid)] if aid else []
    start = response(action, "Success", intro, ("EventList", "start"))
    done = ev.event(
        complete, None, tag, [("EventList", "Complete"), ("ListItems", str(len(items)))]
    )
    return Reply([start, *[item + tag for item in items], done])


def truthy(text: str) -> bool:
    """Asterisk's ast_true."""
    return text.strip().lower() in ("yes", "true", "y", "t", "1", "on")


def ping(sim: SimulatedAsterisk, action: Action) -> Reply:
    """Ping -> Pong with a timestamp."""
    stamp = f"{time.time():.6f}"
    return Reply([response(action, "Success", "", ("Ping", "Pong"), ("Timestamp", stamp))])


def queue_status(sim: SimulatedAsterisk, action: Action) -> Reply:
    """QueueParams, QueueMember (Name/Location) and QueueEntry items, optionally filtered."""
    only, member_filter = get(action, "Queue"), get(action, "Member")
    items: list[Message] = []
    now = sim.now()
    for q in _queues(sim, only):
        perf = f"{100.0 * q.completed / (q.completed + q.abandoned):.1f}" if q.completed else "0.0"
        items.append(
            ev.event(
                "QueueParams",
                None,
                [
                    ("Queue", q.name),
                    ("Max", "0"),
                    ("Strategy", q.strategy),
                    ("Calls", str(len(q.waiting))),
                    ("Holdtime", str(q.holdtime)),
                    ("TalkTime", str(q.talktime)),
                    ("Completed", str(q.completed)),
                    ("Abandoned", str(q.abandoned)),
                    ("ServiceLevel", "30"),
                    ("ServicelevelPerf", perf),
                    ("ServicelevelPerf2", perf),
                    ("Weight", str(q.weight)),
                ],
            )
        )
        for m in q.members.values():
            if member_filter and member_filter not in (m.agent.interface, m.agent.name):
                continue
            items.append(ev.event("QueueMember", None, m.headers(q, listing=True)))
        for pos, ch in enumerate(q.waiting, start=1):
            wait = str(int(now - q.joined_at.get(ch.name, now)))
            name = ch.cid_name if ch.cid_name != "<unknown>" else "unknown"
            conn = ch.conn_name if ch.conn_name != "<unknown>" else "unknown"
            items.append(
                ev.event(
                    "QueueEntry",
                    None,
                    [
                        ("Queue", q.name),
                        ("Position", str(pos)),
                        ("Channel", ch.name),
                        ("Uniqueid", ch.uniqueid),
                        ("CallerIDNum", ch.cid_num),
                        ("CallerIDName", name),
                        ("ConnectedLineNum", ch.conn_num),
                        ("ConnectedLineName", conn),
                        ("Wait", wait),
                        ("Priority", "0"),
                    ],
                )
            )
    return listing(action, "Queue status will follow", items, "QueueStatusComplete")


def queue_summary(sim: SimulatedAsterisk, action: Action) -> Reply:
    """One QueueSummary per queue: logged in, available, callers, hold/talk and longest wait."""
    items: list[Message] = []
    now = sim.now()
    for q in _queues(sim, get(action, "Queue")):
        available = [m for m in q.members.values() if not m.paused and m.agent.status == "1"]
        longest = max((int(now - q.joined_at.get(c.name, now)) for c in q.waiting), default=0)
        items.append(
            ev.event(
                "QueueSummary",
                None,
                [
                    ("Queue", q.name),
                    ("LoggedIn", str(len(q.members))),
                    ("Available", str(len(available))),
                    ("Callers", str(len(q.waiting))),
                    ("HoldTime", str(q.holdtime)),
                    ("TalkTime", str(q.talktime)),
                    ("LongestHoldTime", str(longest)),
                ],
            )
        )
    return listing(action, "Queue summary will follow", items, "QueueSummaryComplete")


def _queues(sim: SimulatedAsterisk, only: str) -> list[Queue]:
    order = [n for n in LISTING_ORDER if n in sim.model.queues]
    order += [n for n in sim.model.queues if n not in order]
    return [sim.model.queues[n] for n in order if not only or n == only]


def core_show_channels(sim: SimulatedAsterisk, action: Action) -> Reply:
    """One CoreShowChannel per live channel with its application and duration."""
    items: list[Message] = []
    now = sim.now()
    for ch in list(sim.model.channels.values()):
        secs = max(int(now - ch.created), 0)
        duration = f"{secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}"
        items.append(
            ev.event(
                "CoreShowChannel",
                None,
                ch.headers(),
                [
                    ("Application", ch.application),
                    ("ApplicationData", ch.app_data),
                    ("Duration", duration),
                    ("BridgeId", ch.bridge),
                ],
            )
        )
    # The ActionID goes right after Event in CoreShowChannel, unlike the queue lists.
    reply = listing(action, "Channels will follow", [], "CoreShowChannelsComplete")
    aid = get(action, "ActionID")
    tagged = [[item[0], ("ActionID", aid), *item[1:]] if aid else item for item in items]
    done = reply.messages[-1]
    done = [kv if kv[0] != "ListItems" else ("ListItems", str(len(items))) for kv in done]
    return Reply([reply.messages[0], *tagged, done])


def queue_add(sim: SimulatedAsterisk, action: Action) -> Reply:
    """QueueAdd: a dynamic member; errors as app_queue words them."""
    qname, iface = get(action, "Queue"), get(action, "Interface")
    if not qname or not iface:
        return error(action, "'Queue' and 'Interface' must be specified.")
    q = sim.model.queues.get(qname)
    if q is None:
        return error(action, "Unable to add interface to queue: No such queue")
    if iface in q.members:
        return error(action, "Unable to add interface: Already there")
    state_iface = get(action, "StateInterface") or iface
    agent: Agent = sim.model.agent(iface, get(action, "MemberName") or iface, state_iface)
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


def queue_remove(sim: SimulatedAsterisk, action: Action) -> Reply:
    """QueueRemove of a member."""
    qname, iface = get(action, "Queue"), get(action, "Interface")
    if not qname or not iface:
        return error(action, "Need 'Queue' and 'Interface' parameters.")
    q = sim.model.queues.get(qname)
    if q is None:
        return error(action, "Unable to remove interface from queue: No such queue")
    member = q.members.pop(iface, None)
    if member is None:
        return error(action, "Unable to remove interface: Not there")
    events = [ev.member_event("QueueMemberRemoved", q, member)]
    return Reply([response(action, "Success", "Removed interface from queue")], events)


def queue_pause(sim: SimulatedAsterisk, action: Action) -> Reply:
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


def queue_penalty(sim: SimulatedAsterisk, action: Action) -> Reply:
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


def originate(sim: SimulatedAsterisk, action: Action) -> Reply:
    """Originate (the PBX always behaves as if Async): queued, then OriginateResponse later."""
    channel, exten = get(action, "Channel"), get(action, "Exten")
    if not channel:
        return error(action, "Channel not specified")
    if not exten and not get(action, "Application"):
        return error(action, "Exten not specified")
    variables = action.get("Variable", [])
    values = dict(
        v.partition("=")[::2] for v in ([variables] if isinstance(variables, str) else variables)
    )
    sim.start_originate(
        channel=channel,
        context=get(action, "Context"),
        exten=exten,
        callerid=get(action, "CallerID"),
        action_id=get(action, "ActionID"),
        variables=values,
    )
    return Reply([response(action, "Success", "Originate successfully queued")])


def redirect(sim: SimulatedAsterisk, action: Action) -> Reply:
    """Redirect a call to another extension (a 700X target or a queue name moves it there)."""
    channel = get(action, "Channel")
    if not channel:
        return error(action, "Channel not specified")
    if not sim.interrupt(channel, "redirect", get(action, "Exten"), get(action, "Context")):
        return error(action, "Channel specified does not exist")
    return Reply([response(action, "Success", "Redirect successful")])


def blind_transfer(sim: SimulatedAsterisk, action: Action) -> Reply:
    """BlindTransfer of the party bridged to Channel."""
    channel = get(action, "Channel")
    if not channel:
        return error(action, "No channel specified")
    if not sim.interrupt(channel, "transfer", get(action, "Exten"), get(action, "Context")):
        return error(action, "No such channel")
    return Reply([response(action, "Success", "Transfer succeeded")])


def hangup(sim: SimulatedAsterisk, action: Action) -> Reply:
    """Hangup of a channel (the caller side or the agent side of a queue call)."""
    channel = get(action, "Channel")
    if not channel:
        return error(action, "No channel specified")
    if not sim.interrupt(channel, "hangup", "", ""):
        return error(action, "No such channel")
    return Reply([response(action, "Success", "Channel Hungup")])


HANDLERS: dict[str, Callable[[SimulatedAsterisk, Action], Reply]] = {
    "ping": ping,
    "queuestatus": queue_status,
    "queuesummary": queue_summary,
    "coreshowchannels": core_show_channels,
    "queueadd": queue_add,
    "queueremove": queue_remove,
    "queuepause": queue_pause,
    "queuepenalty": queue_penalty,
    "originate": originate,
    "redirect": redirect,
    "blindtransfer": blind_transfer,
    "hangup": hangup,
}
