"""Complaint workflow: legal status changes, the escalation path, and when the SLA falls due.

The status graph (every other change is illegal):

    open        -> in_progress, escalated, resolved  (resolved: settled in the first contact)
    in_progress -> escalated, resolved
    escalated   -> in_progress, resolved  (the expert answered; the hotline takes it back)
    resolved    -> closed, in_progress    (reopened: the customer says it is not settled)
    closed      -> nothing                (final; a new problem is a new complaint)

Escalation climbs hotline -> editor -> author_expert, one level at a time, and sets the status to
escalated; it is legal from open, in_progress and escalated (to climb further), never once resolved
or closed, nor beyond author_expert. Escalating keeps the SLA due time: the promise made to the
customer does not move because the work moved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "open": ("in_progress", "escalated", "resolved"),
    "in_progress": ("escalated", "resolved"),
    "escalated": ("in_progress", "resolved"),
    "resolved": ("closed", "in_progress"),
    "closed": (),
}
ESCALATION_PATH: tuple[str, ...] = ("hotline", "editor", "author_expert")
ESCALATABLE: frozenset[str] = frozenset({"open", "in_progress", "escalated"})

# How long the club promises to take, by severity (the seeded history follows the same table).
SLA_BY_SEVERITY: dict[str, timedelta] = {
    "critical": timedelta(days=1),
    "high": timedelta(days=2),
    "medium": timedelta(days=3),
    "low": timedelta(days=5),
}

# Which group owns a new complaint when the caller does not say.
OWNER_BY_CATEGORY: dict[str, str] = {
    "delivery": "member-hotline",
    "quality": "documents",
    "billing": "finance",
    "membership": "member-hotline",
    "editorial": "letters",
}


class WorkflowError(Exception):
    """A change the complaint workflow does not allow; the API maps it to 409."""

    def __init__(self, message: str, *, current: str, legal: tuple[str, ...]) -> None:
        super().__init__(message)
        self.current = current
        self.legal = legal


@dataclass(frozen=True)
class Escalation:
    """The result of one escalation step."""

    from_status: str
    to_status: str
    from_level: str
    to_level: str


def legal_targets(current: str) -> tuple[str, ...]:
    """The statuses a complaint in `current` may move to (unknown status: a ValueError)."""
    if current not in TRANSITIONS:
        raise ValueError(f"unknown complaint status {current!r}")
    return TRANSITIONS[current]


def check_transition(current: str, target: str) -> None:
    """Raise WorkflowError unless `current -> target` is in the graph above."""
    if target not in TRANSITIONS:
        raise ValueError(f"unknown complaint status {target!r}")
    legal = legal_targets(current)
    if target not in legal:
        allowed = ", ".join(legal) if legal else "none (closed is final)"
        raise WorkflowError(
            f"cannot move a complaint from {current} to {target}; legal: {allowed}",
            current=current,
            legal=legal,
        )


def escalate(status: str, level: str) -> Escalation:
    """One step up the escalation path; WorkflowError when resolved, closed or at the top."""
    if level not in ESCALATION_PATH:
        raise ValueError(f"unknown escalation level {level!r}")
    if status not in ESCALATABLE:
        raise WorkflowError(
            f"cannot escalate a {status} complaint; reopen it first",
            current=status,
            legal=legal_targets(status),
        )
    index = ESCALATION_PATH.index(level)
    if index + 1 >= len(ESCALATION_PATH):
        raise WorkflowError(
            f"already at {level}, the last escalation level",
            current=status,
            legal=legal_targets(status),
        )
    return Escalation(status, "escalated", level, ESCALATION_PATH[index + 1])


def sla_due(severity: str, opened_at: datetime) -> datetime:
    """When a complaint of this severity opened at `opened_at` must be resolved."""
    if severity not in SLA_BY_SEVERITY:
        raise ValueError(f"unknown severity {severity!r}")
    return opened_at + SLA_BY_SEVERITY[severity]


def default_owner(category: str) -> str:
    """The group that owns a new complaint of this category."""
    if category not in OWNER_BY_CATEGORY:
        raise ValueError(f"unknown complaint category {category!r}")
    return OWNER_BY_CATEGORY[category]
