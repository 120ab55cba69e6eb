"""The router's answer: queue, priority, preferred agent, overflow plan, reason and trace."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class OverflowStep:
    """After `after_s` s in queue the call moves on (overflow) or borrows another group."""

    after_s: int
    queue: str
    kind: Literal["overflow", "borrow"]


@dataclass(frozen=True)
class TraceStep:
    """One line of the router's reasoning."""

    rule: str
    fired: bool
    detail: str


@dataclass(frozen=True)
class RoutingDecision:
    """Where a call goes and why; `action` "callback" means no queue: a work item instead."""

    action: Literal["queue", "callback"]
    queue: str | None
    priority: int
    customer_id: int | None
    segment: str | None
    preferred_agent: str | None
    overflow: tuple[OverflowStep, ...]
    reason: str
    callback_group: str | None = None
    trace: tuple[TraceStep, ...] = ()

    def channel_variables(self) -> dict[str, str]:
        """The CC_* channel variables of the dialplan contract; empty string when none."""
        first = self.overflow[0] if self.overflow else None
        return {
            "CC_QUEUE": self.queue or "",
            "CC_PRIORITY": str(self.priority),
            "CC_CUSTOMER_ID": "" if self.customer_id is None else str(self.customer_id),
            "CC_SEGMENT": self.segment or "",
            "CC_PREFERRED_AGENT": self.preferred_agent or "",
            "CC_OVERFLOW_QUEUE": first.queue if first else "",
            "CC_OVERFLOW_AFTER": str(first.after_s) if first else "",
            "CC_REASON": self.reason,
        }

    def dialplan_variables(self) -> dict[str, str]:
        """The contract variables plus what our dialplan also uses (action, the borrow step)."""
        second = self.overflow[1] if len(self.overflow) > 1 else None
        return {
            **self.channel_variables(),
            "CC_ACTION": self.action,
            "CC_WIDEN_QUEUE": second.queue if second else "",
            "CC_WIDEN_AFTER": str(second.after_s) if second else "",
        }

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dict, trace included."""
        return {
            "action": self.action,
            "queue": self.queue,
            "priority": self.priority,
            "customer_id": self.customer_id,
            "segment": self.segment,
            "preferred_agent": self.preferred_agent,
            "overflow": [
                {"after_s": s.after_s, "queue": s.queue, "kind": s.kind} for s in self.overflow
            ],
            "reason": self.reason,
            "callback_group": self.callback_group,
            "trace": [{"rule": t.rule, "fired": t.fired, "detail": t.detail} for t in self.trace],
        }
