"""Complaint tickets and their logged changes, with the values their fields may take."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

ComplaintCategory = Literal["delivery", "quality", "billing", "membership", "editorial"]
Severity = Literal["low", "medium", "high", "critical"]
ComplaintStatus = Literal["open", "in_progress", "escalated", "resolved", "closed"]
EscalationLevel = Literal["hotline", "editor", "author_expert"]

COMPLAINT_CATEGORIES: tuple[str, ...] = (
    "delivery",
    "quality",
    "billing",
    "membership",
    "editorial",
)
SEVERITIES: tuple[str, ...] = ("low", "medium", "high", "critical")
COMPLAINT_STATUSES: tuple[str, ...] = ("open", "in_progress", "escalated", "resolved", "closed")
OPEN_COMPLAINT_STATUSES: tuple[str, ...] = ("open", "in_progress", "escalated")
ESCALATION_LEVELS: tuple[str, ...] = ("hotline", "editor", "author_expert")
COMPLAINT_EVENT_KINDS: tuple[str, ...] = ("created", "transition", "escalated", "note")


@dataclass(frozen=True)
class Complaint:
    """A complaint ticket."""

    id: int
    customer_id: int
    order_id: int | None
    category: str
    severity: str
    status: str
    subject: str
    description: str
    sla_due_at: datetime
    owner_group: str
    owner_agent_id: int | None
    escalation_level: str
    book_title: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class ComplaintEvent:
    """One logged change of a complaint."""

    id: int
    complaint_id: int
    at: datetime
    kind: str
    from_status: str | None
    to_status: str | None
    actor: str
    note: str | None
