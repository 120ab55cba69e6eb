"""The live floor: calls waiting now and calls in progress (from facts), agents by state per group.

Finished calls are counted by `domain.kpi.book.KpiBook` from their records; what only exists while a
call lives (waiting now, longest wait now, offered but not yet finished) is folded here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from callcenter.domain.agents.presence import AgentPresence
from callcenter.domain.calls.facts import (
    CallAbandoned,
    CallAnswered,
    CallEnded,
    CallOffered,
    CallOverflowed,
    Fact,
    QueueLeftUnanswered,
)
from callcenter.domain.kpi.book import CallKey, KpiBook, agent_figures, group_figures
from callcenter.domain.routing.groups import Group

AGENT_STATES: tuple[str, ...] = (
    "available",
    "ringing",
    "on_call",
    "wrap_up",
    "paused",
    "logged_out",
)
NO_REASON = "No reason"


@dataclass
class _CallInQueues:
    first_offered_at: float
    queues: list[str]
    waiting_in: str | None = None
    waiting_since: float = 0.0
    answered_in: str | None = None
    caller: str | None = None
    caller_name: str | None = None
    segment: str | None = None
    priority: int | None = None


class LiveQueues:
    """Calls not yet ended: which queues they entered and where they wait now."""

    def __init__(self) -> None:
        self._calls: dict[CallKey, _CallInQueues] = {}

    def apply(self, fact: Fact) -> bool:
        """Fold one fact; True when anything the wallboard shows changed."""
        key = (fact.pbx, getattr(fact, "linkedid", ""))
        if isinstance(fact, CallOffered):
            call = self._calls.setdefault(key, _CallInQueues(first_offered_at=fact.at, queues=[]))
            if fact.queue not in call.queues:
                call.queues.append(fact.queue)
            call.waiting_in, call.waiting_since = fact.queue, fact.at
            call.caller, call.caller_name = fact.caller, fact.caller_name
            routing = dict(fact.routing)
            call.segment = routing.get("CC_SEGMENT") or call.segment
            priority = routing.get("CC_PRIORITY", "")
            call.priority = int(priority) if priority.isdigit() else call.priority
            return True
        if isinstance(fact, CallEnded):
            return self._calls.pop(key, None) is not None
        if isinstance(fact, CallAnswered | CallAbandoned | QueueLeftUnanswered | CallOverflowed):
            live = self._calls.get(key)
            if live is None or live.waiting_in is None:
                return False
            live.waiting_in = None
            if isinstance(fact, CallAnswered):
                live.answered_in = fact.queue
            return True
        return False

    def export(self, pbx: str) -> list[dict[str, Any]]:
        """The live calls of one PBX as plain data (a snapshot another process can adopt)."""
        return [
            {"linkedid": key[1], **vars(call)} for key, call in self._calls.items() if key[0] == pbx
        ]

    def adopt(self, pbx: str, calls: Iterable[Mapping[str, Any]]) -> None:
        """Replace one PBX's live calls with a snapshot taken where its facts are made."""
        self._calls = {k: v for k, v in self._calls.items() if k[0] != pbx}
        for row in calls:
            self._calls[(pbx, str(row["linkedid"]))] = _CallInQueues(
                first_offered_at=float(row["first_offered_at"]),
                queues=[str(q) for q in row["queues"]],
                waiting_in=row.get("waiting_in"),
                waiting_since=float(row.get("waiting_since") or 0.0),
                answered_in=row.get("answered_in"),
                caller=row.get("caller"),
                caller_name=row.get("caller_name"),
                segment=row.get("segment"),
                priority=row.get("priority"),
            )

    def forget_offered_before(self, at: float) -> None:
        """At a day's roll-over: calls first offered before `at` belong to the old day's figures."""
        for call in self._calls.values():
            if call.first_offered_at < at:
                call.queues = []

    def waiting(self, queue: str, now: float) -> tuple[int, float]:
        """(calls waiting in `queue` now, longest wait now in seconds)."""
        waits = [
            max(0.0, now - c.waiting_since) for c in self._calls.values() if c.waiting_in == queue
        ]
        return len(waits), round(max(waits, default=0.0), 1)

    def waiting_callers(self, groups: Iterable[Group], now: float) -> list[dict[str, Any]]:
        """Every caller waiting now, highest priority first, then longest waiting first."""
        slug_of = {g.queue: g.slug for g in groups}
        waiting = [(key, c) for key, c in self._calls.items() if c.waiting_in is not None]
        waiting.sort(key=lambda kc: (-(kc[1].priority or 0), kc[1].waiting_since))
        return [
            {
                "pbx": key[0],
                "linkedid": key[1],
                "group": slug_of.get(c.waiting_in or "", c.waiting_in),
                "queue": c.waiting_in,
                "caller": c.caller,
                "caller_name": c.caller_name,
                "segment": c.segment,
                "priority": c.priority,
                "wait_s": round(max(0.0, now - c.waiting_since), 1),
            }
            for key, c in waiting
        ]

    def anyone_waiting(self) -> bool:
        """Whether any caller waits in a queue now (no list built)."""
        return any(c.waiting_in is not None for c in self._calls.values())

    def waiting_in(self, queues: Iterable[str], now: float) -> dict[str, Any]:
        """How many callers wait now in these queues, and the longest wait (an agent's groups)."""
        mine = set(queues)
        waits = [now - c.waiting_since for c in self._calls.values() if c.waiting_in in mine]
        longest = round(max(0.0, max(waits, default=0.0)), 1)
        return {"waiting_in_my_queues": len(waits), "longest_wait_s": longest}

    def in_progress(self, queue: str, counted: KpiBook) -> int:
        """Calls offered to `queue` today that have not ended (and are not counted yet)."""
        return sum(1 for key, c in self._calls.items() if queue in c.queues and key not in counted)

    def answered_in_progress(self, queue: str, counted: KpiBook) -> int:
        """Calls answered in `queue` that are still being talked (not counted yet)."""
        return sum(
            1
            for key, c in self._calls.items()
            if c.answered_in == queue and queue in c.queues and key not in counted
        )


def group_state(agent: AgentPresence, queue: str) -> tuple[str, str | None]:
    """The agent's state as seen from one queue (paused in just that queue counts as paused)."""
    if agent.state == "available" and queue in agent.paused_in:
        return "paused", agent.reason
    return agent.state, agent.reason


def floor_snapshot(
    *,
    now: float,
    groups: Iterable[Group],
    book: KpiBook,
    live: LiveQueues,
    agents: Iterable[AgentPresence],
    last_queues: Mapping[str, tuple[str, ...]],
) -> dict[str, Any]:
    """The `groups` and `agents` parts of the wallboard snapshot (format in contracts.md)."""
    agent_list = list(agents)
    groups = list(groups)
    out_groups: list[dict[str, Any]] = []
    for group in groups:
        waiting, longest = live.waiting(group.queue, now)
        by_state = dict.fromkeys(AGENT_STATES, 0)
        paused_by_reason: dict[str, int] = {}
        for agent in agent_list:
            queues = agent.queues or last_queues.get(agent.code, ())
            if group.queue not in queues:
                continue
            state, reason = group_state(agent, group.queue)
            by_state[state] = by_state.get(state, 0) + 1
            if state == "paused":
                label = reason or NO_REASON
                paused_by_reason[label] = paused_by_reason.get(label, 0) + 1
        figures = group_figures(book.group(group.slug))
        # Calls still in progress count as offered, and as answered once an agent took them;
        # their waits and talk join SL, ASA and AHT when they end.
        figures["offered"] += live.in_progress(group.queue, book)
        figures["answered"] += live.answered_in_progress(group.queue, book)
        out_groups.append(
            {
                "slug": group.slug,
                "name": group.name,
                "name_zh": group.name_zh,
                "queue": group.queue,
                "waiting": waiting,
                "longest_wait_s": longest,
                **figures,
                "sl_target_percent": group.sl_target_percent,
                "sl_target_s": group.sl_target_seconds,
                "agents": by_state,
                "paused_by_reason": paused_by_reason,
            }
        )
    out_agents = [
        {
            "code": a.code,
            "name": a.name,
            "state": a.state,
            "reason": a.reason,
            "since": a.since,
            "time_in_state_s": round(max(0.0, now - a.since), 1),
            "queues": list(a.queues),
            **agent_figures(book.agent(a.code)),
        }
        for a in agent_list
    ]
    return {
        "groups": out_groups,
        "agents": out_agents,
        "waiting": live.waiting_callers(groups, now),
    }
