"""What is asked of the work-item service: an item handed in, a status change, who asks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from callcenter.domain.work_items import Sender


@dataclass(frozen=True)
class IncomingFile:
    """An attachment as it arrived (a mail part, a scan)."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Intake:
    """A work item as a channel hands it in; `triage` says why a person must look at it first."""

    kind: str
    subject: str
    body: str
    sender: Sender
    source: str = "rest"
    group: str | None = None
    due_at: datetime | None = None
    files: tuple[IncomingFile, ...] = ()
    triage: str | None = None
    order_id: int | None = None  # the order a remittance slip pays (the desktop's match)


@dataclass(frozen=True)
class Transition:
    """A status change asked for; `owner` assigns the item to an agent (managers only)."""

    status: str
    outcome: str | None = None
    disposition_code: str | None = None
    note: str | None = None
    settled: bool = True
    group: str | None = None
    owner_agent: str | None = None  # agent code


@dataclass(frozen=True)
class Actor:
    """Who changes an item: a label for the log, and for agents their agent id."""

    label: str
    manager: bool = False
    agent_id: int | None = None
