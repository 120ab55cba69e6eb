"""AMI action handlers: each returns the replies for the asking session and events for everyone."""

from __future__ import annotations

import time
from collections.abc import Callable

from callcenter.sim import events as ev
from callcenter.sim.call_actions import CALL_HANDLERS
from callcenter.sim.host import AmiHost
from callcenter.sim.member_actions import queue_add, queue_pause, queue_penalty, queue_remove
from callcenter.sim.model import LISTING_ORDER, Message, Queue
from callcenter.sim.replies import Action, Reply, get, listing, response


def ping(sim: AmiHost, action: Action) -> Reply:
    """Ping -> Pong with a timestamp."""
    stamp = f"{time.time():.6f}"
    return Reply([response(action, "Success", "", ("Ping", "Pong"), ("Timestamp", stamp))])


def queue_status(sim: AmiHost, action: Action) -> Reply:
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


def queue_summary(sim: AmiHost, action: Action) -> Reply:
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


def _queues(sim: AmiHost, only: str) -> list[Queue]:
    order = [n for n in LISTING_ORDER if n in sim.model.queues]
    order += [n for n in sim.model.queues if n not in order]
    return [sim.model.queues[n] for n in order if not only or n == only]


def core_show_channels(sim: AmiHost, action: Action) -> Reply:
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


HANDLERS: dict[str, Callable[[AmiHost, Action], Reply]] = {
    "ping": ping,
    "queuestatus": queue_status,
    "queuesummary": queue_summary,
    "coreshowchannels": core_show_channels,
    "queueadd": queue_add,
    "queueremove": queue_remove,
    "queuepause": queue_pause,
    "queuepenalty": queue_penalty,
    **CALL_HANDLERS,
}
