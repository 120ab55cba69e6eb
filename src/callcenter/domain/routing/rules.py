"""The routing rule book: groups, business hours and ordered rules (read by `rule_book`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from callcenter.domain.routing.groups import GroupRouting
from callcenter.domain.routing.work_sla import WorkTargets

PreferKind = Literal["complaint-owner", "last-agent", "agents"]


class RulesError(ValueError):
    """A rule book that cannot be used; the message names the rule (or group) and the field."""


@dataclass(frozen=True)
class Match:
    """Conditions of one rule; every condition given must hold, absent ones always hold."""

    did: frozenset[str] | None = None
    menu: frozenset[str] | None = None  # "none" stands for "no IVR choice"
    caller: Literal["known", "unknown"] | None = None
    segment: frozenset[str] | None = None
    role: frozenset[str] | None = None  # any of these roles
    credit_hold: bool | None = None
    open_complaint: bool | None = None
    served_recently: bool | None = None
    queue: frozenset[str] | None = None  # the queue chosen so far


@dataclass(frozen=True)
class Rule:
    """One ordered rule: when `match` holds, apply the actions; `stop` ends evaluation."""

    name: str
    match: Match
    queue: str | None = None
    queue_from: Literal["complaint"] | None = None
    queue_if_staffed: str | None = None
    priority: int | None = None
    prefer: PreferKind | None = None
    agents: tuple[str, ...] = ()
    reason: str | None = None
    stop: bool = False


@dataclass(frozen=True)
class RoutingRules:
    """The whole validated rule book."""

    timezone: str
    default_group: str
    callback_group: str
    groups: Mapping[str, GroupRouting]
    rules: tuple[Rule, ...]
    holidays: frozenset[date] = frozenset()
    complaint_sticky_days: int = 30
    agent_sticky_days: int = 14
    by_did: Mapping[str, str] = field(default_factory=dict)
    work: WorkTargets = field(default_factory=WorkTargets)  # work-item groups and SLA targets

    def group_for_did(self, did: str | None) -> str | None:
        """The group whose entry point is `did`, or None for an unknown DID."""
        return self.by_did.get(did or "")

    def is_open(self, slug: str, at: datetime) -> bool:
        """True when group `slug` takes calls at aware time `at` (local time, holidays)."""
        group = self.groups.get(slug)
        if group is None or not group.hours:
            return True  # a group without hours configured is always open
        local = at.astimezone(ZoneInfo(self.timezone))
        spans = group.holiday_hours if local.date() in self.holidays else group.hours
        return any(span.covers(local) for span in spans)
