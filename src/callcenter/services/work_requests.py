"""What is asked of the work-item service: an item handed in, a status change, who asks."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from callcenter.domain.customers.numbers import parse_caller_id
from callcenter.domain.work_items import WORK_KINDS, Sender
from callcenter.services.errors import InvalidField


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
    priority: int | None = None  # with `group`: the priority it already has (a call's in its queue)
    since: datetime | None = None  # when the customer started waiting: the SLA clock's start
    call_ref: str | None = None  # the call owing this callback: a second one is DuplicateKey
    customer_id: int | None = None  # the customer the call was matched to, if it was


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


def check_intake(intake: Intake, groups: tuple[str, ...], region: str) -> Sender:
    """The sender of a valid intake, its phone as E.164 (InvalidField names a bad field)."""
    if intake.kind not in WORK_KINDS:
        raise InvalidField(("kind",), f"{intake.kind!r} is not one of {', '.join(WORK_KINDS)}")
    if intake.group is not None and intake.group not in groups:
        raise InvalidField(
            ("group",), f"unknown group {intake.group!r}; known: {', '.join(groups)}"
        )
    sender = intake.sender
    if sender.empty and intake.source != "router" and intake.triage is None:
        raise InvalidField(("from",), "give at least one of phone, email, member_no")
    phone = sender.phone
    if phone is not None:
        parsed = parse_caller_id(phone, region)
        if parsed.e164 is None:
            raise InvalidField(
                ("from", "phone"), f"{phone!r} is not a phone number ({parsed.reason})"
            )
        phone = parsed.e164
    if sender.email is not None and "@" not in sender.email.strip("@"):
        raise InvalidField(("from", "email"), f"{sender.email!r} is not an e-mail address")
    if intake.kind == "callback" and phone is None and intake.source != "router":
        if intake.triage is not None:
            return replace(sender, phone=None)  # kept for a person to look at
        raise InvalidField(("from", "phone"), "a callback needs the number to call")
    return replace(sender, phone=phone)
