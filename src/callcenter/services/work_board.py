"""The offering service's view of the open items and of the floor, built for each pass."""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from callcenter.domain.access.auth import MANAGERS, Principal
from callcenter.domain.agents.presence import BUSY_STATES, AgentPresence, PresenceBoard
from callcenter.domain.agents.records import Agent
from callcenter.domain.work_assignment import (
    BACK_OFFICE,
    HELD,
    OFFERABLE,
    WORK,
    AgentLoad,
    Capacity,
    Floor,
    OpenItem,
    channel_of,
    groups_with_room,
    keeps_voice_paused,
)
from callcenter.domain.work_items import WorkItem
from callcenter.domain.work_login import Choices, logged_in, surely_out
from callcenter.ports.push import WorkOffered
from callcenter.ports.work_offers import WorkEntry
from callcenter.services.errors import Conflict, Forbidden, NotFound


@dataclass(frozen=True)
class OfferRules:
    """How long an offer is held, capacities per group, how often the floor is re-read."""

    offer_timeout_s: float = 30.0
    capacities: Mapping[str, Capacity] = field(default_factory=dict)
    default_capacity: Capacity = field(default_factory=Capacity)
    floor_s: float = 30.0  # the agents and the groups' queues are read again this often
    idle_s: float = 1.0  # a pass at least this often (offers that time out, retries due)
    login_follows_queues: bool = True  # a work group never logged in to or out of follows voice


def floor_of(
    agents: Mapping[str, Agent],
    queue_of: Mapping[str, str],
    presence: PresenceBoard,
    items: Iterable[WorkEntry],
    capacities: Mapping[str, Capacity],
    default: Capacity,
    logins: Mapping[str, Choices] | None = None,
    follows_queues: bool = True,
) -> Floor:
    """Agents reachable now (logged in to a skill's work group — see domain/work_login.py —
    not paused but for back-office work), each with the items already held counted."""
    loads: dict[str, AgentLoad] = {}
    for code, agent in agents.items():
        seen = presence.get(code)
        if seen is not None and seen.state == "paused" and seen.reason != BACK_OFFICE:
            continue
        voice = seen.queues if seen is not None and seen.state != "logged_out" else ()
        chosen = (logins or {}).get(code, {})
        skills = {
            s.group_slug: s.level
            for s in agent.skills
            if logged_in(
                s.group_slug,
                chosen,
                in_voice_queue=queue_of.get(s.group_slug, s.group_slug) in voice,
                follows_queues=follows_queues,
            )
        }
        if skills:
            busy = seen is not None and seen.state in BUSY_STATES
            loads[code] = AgentLoad(code=code, skills=skills, on_phone=busy)
    for entry in items:
        load = loads.get(entry.agent or "")
        if load is not None and entry.status in HELD:
            load.take(channel_of(entry.kind), capacities.get(entry.group, default), 0.0)
    return Floor.of(loads.values())


def pass_view(
    agents: Mapping[str, Agent],
    queue_of: Mapping[str, str],
    presence: PresenceBoard,
    items: Mapping[int, WorkEntry],
    rules: OfferRules,
    now: float,
    logins: Mapping[str, Choices] | None = None,
) -> tuple[Floor, list[OpenItem]]:
    """One offering pass's floor, and the waiting items it could place: only those of groups
    where someone has room (a backlog nobody can take is not sorted on every pass)."""
    caps, default = rules.capacities, rules.default_capacity
    follows = rules.login_follows_queues
    floor = floor_of(agents, queue_of, presence, items.values(), caps, default, logins, follows)
    room = groups_with_room(floor, caps, default)
    return floor, waiting(items.values(), now, room) if room else []


def waiting(
    items: Iterable[WorkEntry], now: float, groups: Container[str] | None = None
) -> list[OpenItem]:
    """The items no agent holds and due for an attempt by `now`, as the policy sees them
    (only those of `groups`, when given)."""
    return [
        open_item(e)
        for e in items
        if e.status in OFFERABLE
        and e.agent is None
        and (groups is None or e.group in groups)
        and (e.not_before is None or e.not_before.timestamp() <= now)
    ]


def held_work_groups(items: Iterable[WorkEntry], code: str) -> list[str]:
    """The groups of the back-office items the agent has accepted."""
    return [
        e.group
        for e in items
        if e.agent == code
        and e.status in ("accepted", "in_progress")
        and channel_of(e.kind) == WORK
    ]


def back_office_pause(
    items: Iterable[WorkEntry],
    code: str,
    seen: AgentPresence | None,
    capacities: Mapping[str, Capacity],
) -> bool | None:
    """Pause (True) or unpause (False) the agent in the voice queues, or leave them (None):
    paused while holding unblended back-office work, else not (a pause of their own stays)."""
    keep = keeps_voice_paused(held_work_groups(items, code), capacities)
    if keep and (seen is None or seen.state != "paused"):
        return True
    if not keep and seen is not None and seen.state == "paused" and seen.reason == BACK_OFFICE:
        return False
    return None


def withdrawals(
    items: Iterable[WorkEntry], logins: Mapping[str, Choices], rules: OfferRules, now: datetime
) -> list[tuple[WorkEntry, bool]]:
    """The open offers to take back now, each with whether it timed out (that agent is passed
    over for the item) rather than its agent logged out of the item's work group since."""
    found = []
    for e in items:
        if e.status != "offered" or e.agent is None:
            continue
        chosen = logins.get(e.agent, {})
        if surely_out(e.group, chosen, follows_queues=rules.login_follows_queues):
            found.append((e, False))
        elif e.expires_at is not None and e.expires_at <= now:
            found.append((e, True))
    return found


def next_deadline(items: Iterable[WorkEntry]) -> float:
    """The soonest offer deadline or retry time (epoch seconds), inf if none."""
    soonest = float("inf")
    for e in items:
        if e.status == "offered" and e.expires_at is not None:
            soonest = min(soonest, e.expires_at.timestamp())
        elif e.status in OFFERABLE and e.not_before is not None:
            soonest = min(soonest, e.not_before.timestamp())
    return soonest


def offer_message(entry: WorkEntry, now: float) -> WorkOffered:
    """The desktop's `work_offer` for an item offered to its agent."""
    assert entry.expires_at is not None
    return WorkOffered(
        item_id=entry.id,
        kind=entry.kind,
        group=entry.group,
        customer_id=entry.customer_id,
        caller=entry.caller,
        note=entry.note,
        priority=entry.priority,
        due_at=entry.due_at.isoformat() if entry.due_at else None,
        expires_at=entry.expires_at.isoformat(),
        timeout_s=round(max(0.0, entry.expires_at.timestamp() - now), 3),
        attempts=entry.attempts,
    )


def entry_of(item: WorkItem) -> WorkEntry | None:
    """The offering view of an item intake has just stored (None unless it waits as `new`)."""
    if item.status != "new":
        return None
    return WorkEntry(
        id=item.id,
        kind=item.kind,
        group=item.group_slug,
        status=item.status,
        priority=item.priority,
        customer_id=item.customer_id,
        caller=item.caller,
        note=item.subject or item.note,
        due_at=item.due_at,
        created_at=item.created_at,
        preferred_agent=item.preferred_agent,
        call_ref=item.call_ref,
    )


def released(entry: WorkEntry, agent: str, *, declined: bool) -> WorkEntry:
    """The entry back to waiting, `agent` among its decliners if `declined`."""
    refused = (
        (*entry.declined, agent) if declined and agent not in entry.declined else entry.declined
    )
    return replace(entry, status="new", agent=None, expires_at=None, declined=refused)


def open_item(entry: WorkEntry) -> OpenItem:
    """The policy's view of one waiting item."""
    return OpenItem(
        id=entry.id,
        group=entry.group,
        kind=entry.kind,
        priority=entry.priority,
        created_at=entry.created_at.timestamp(),
        due_at=entry.due_at.timestamp() if entry.due_at else None,
        declined=frozenset(entry.declined),
        not_before=entry.not_before.timestamp() if entry.not_before else 0.0,
        preferred=entry.preferred_agent,
    )


def may_act_for(by: Principal, code: str) -> None:
    """Forbidden unless `by` is agent `code` or a manager (supervisor, admin)."""
    if by.role not in MANAGERS and by.agent_code != code:
        raise Forbidden(f"only agent {code} or a supervisor may act on agent {code}'s work")


def holding(
    entry: WorkEntry | None, item_id: int, code: str, statuses: tuple[str, ...]
) -> WorkEntry:
    """The entry if `code` holds it in one of `statuses`; else NotFound or Conflict."""
    if entry is None:
        raise NotFound(f"no work item {item_id}")
    if entry.agent != code or entry.status not in statuses:
        raise Conflict(f"item {item_id} is {entry.status}, not {'/'.join(statuses)} by {code}")
    return entry
