"""A functional group (an Asterisk queue): what is stored, and what the rule book says about it.

One source of truth per fact: the database holds a group's names, queue, entry point and
service-level target; the routing rule book (TOML) alone holds overflow, borrowing and hours, since
that is what the router obeys. `Group.routing` carries the rule book's part where it is wanted.
"""

from __future__ import annotations

from dataclasses import dataclass

from callcenter.domain.routing.business_hours import OpenSpan
from callcenter.domain.routing.decision import OverflowStep


@dataclass(frozen=True)
class Group:
    """A functional group, which is also an Asterisk queue."""

    slug: str
    name: str
    name_zh: str
    queue: str
    entry_point: str
    sl_target_seconds: int
    sl_target_percent: int
    routing: GroupRouting | None = None  # the rule book's part, when asked for


@dataclass(frozen=True)
class GroupRouting:
    """What the rule book says about one group: its entry DID, overflow, borrowing and hours."""

    slug: str
    did: str | None
    overflow: str | None = None
    overflow_after_s: int = 0
    borrow: str | None = None
    borrow_after_s: int = 0
    hours: tuple[OpenSpan, ...] = ()
    holiday_hours: tuple[OpenSpan, ...] = ()

    def overflow_plan(self) -> tuple[OverflowStep, ...]:
        """The steps a call here takes, soonest first; a step needs a target and a delay."""
        steps = []
        if self.overflow and self.overflow_after_s > 0:
            steps.append(OverflowStep(self.overflow_after_s, self.overflow, "overflow"))
        if self.borrow and self.borrow_after_s > 0:
            steps.append(OverflowStep(self.borrow_after_s, self.borrow, "borrow"))
        return tuple(sorted(steps, key=lambda s: s.after_s))
