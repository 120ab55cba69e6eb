"""Work items: letters, remittance slips, e-mail, SMS, web forms, data changes and callbacks.

Pure: the kinds and statuses, which status may follow which (`check_transition`), the contact
channel a finished item leaves in the customer's history, and the records the stores hand back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, get_args

WorkKind = Literal["letter", "remittance_slip", "email", "sms", "web", "data_change", "callback"]
WorkStatus = Literal[
    "new", "triage", "offered", "accepted", "in_progress", "done", "cancelled", "failed"
]
MatchStatus = Literal["matched", "ambiguous", "unknown"]
# queue: a callback owed to a caller who left a queue (withdrawn, or abandoned after a long wait)
WorkSource = Literal["rest", "smtp", "sms", "router", "desktop", "queue"]

WORK_KINDS: tuple[str, ...] = get_args(WorkKind)
WORK_STATUSES: tuple[str, ...] = get_args(WorkStatus)
MATCH_STATUSES: tuple[str, ...] = get_args(MatchStatus)
WORK_SOURCES: tuple[str, ...] = get_args(WorkSource)
WORK_CHANNELS: tuple[str, ...] = ("letter", "email", "sms", "web", "callback")

FINAL_STATUSES: frozenset[str] = frozenset({"done", "cancelled", "failed"})
OPEN_STATUSES: tuple[str, ...] = tuple(s for s in WORK_STATUSES if s not in FINAL_STATUSES)

# Which status may follow which. An offer that times out or is rejected goes back to `new` (the
# next agent gets it); an accepted item may be handed back (`new`) or transferred; `triage` is
# where bad input waits for a person to fix its group or sender.
TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset({"triage", "offered", "accepted", "cancelled"}),
    "triage": frozenset({"new", "cancelled", "failed"}),
    "offered": frozenset({"new", "accepted", "cancelled"}),
    "accepted": frozenset({"new", "in_progress", "done", "cancelled", "failed"}),
    "in_progress": frozenset({"new", "done", "cancelled", "failed"}),
    "done": frozenset(),
    "cancelled": frozenset(),
    "failed": frozenset(),
}

# The channel a kind leaves in the contact history when the item came in by REST.
_KIND_CHANNEL: dict[str, str] = {
    "letter": "letter",
    "remittance_slip": "letter",  # postal slips; scanned, but they came by post
    "email": "email",
    "sms": "sms",
    "web": "web",
    "data_change": "web",
    "callback": "callback",
}


class IllegalTransition(ValueError):
    """A status change the life cycle does not allow; the message says from what to what."""


def check_transition(current: str, target: str) -> str:
    """`target` when an item in `current` may move there, else IllegalTransition."""
    if current not in TRANSITIONS:
        raise IllegalTransition(f"unknown status {current!r}")
    if target not in TRANSITIONS:
        raise IllegalTransition(
            f"unknown status {target!r}; expected one of {', '.join(WORK_STATUSES)}"
        )
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "nothing (it is final)"
        raise IllegalTransition(f"a {current} item cannot become {target}; allowed: {allowed}")
    return target


def leaves_contact(kind: str, status: str) -> bool:
    """Whether closing an item in `status` is a contact in the customer's history: every done
    item, and a callback however it ended (reached, failed after its attempts, do-not-call)."""
    return status == "done" or (kind == "callback" and status in FINAL_STATUSES)


def channel_for(kind: str, source: str) -> str:
    """The contact channel of an item: how it came in (mail, SMS, the router), else its kind."""
    if source == "smtp":
        return "email"
    if source == "sms":
        return "sms"
    if source == "router":
        return "callback"
    return _KIND_CHANNEL.get(kind, "web")


@dataclass(frozen=True)
class Sender:
    """Who sent the item, as given: any of a phone number (E.164 once parsed), e-mail, member no."""

    phone: str | None = None
    email: str | None = None
    member_no: str | None = None

    @property
    def empty(self) -> bool:
        """Nothing to match a customer by."""
        return not (self.phone or self.email or self.member_no)


@dataclass(frozen=True)
class MatchCandidate:
    """A customer who may have sent the item, and why they rank where they do."""

    customer_id: int
    name: str
    segment: str
    reason: str


@dataclass(frozen=True)
class CustomerMatch:
    """The sender matched to customers the way a caller is: matched, ambiguous or unknown."""

    status: MatchStatus
    candidates: tuple[MatchCandidate, ...] = ()
    e164: str | None = None

    @property
    def customer_id(self) -> int | None:
        """The customer when exactly one matched."""
        return self.candidates[0].customer_id if self.status == "matched" else None


@dataclass(frozen=True)
class Attachment:
    """A stored file of an item (a scanned slip, a mail's attachment): content hash and size."""

    filename: str
    content_type: str
    size: int
    sha256: str
    stored_as: str  # where the file store keeps it (relative to its root)


@dataclass(frozen=True)
class WorkEvent:
    """One logged change of an item: what happened, from and to which status, who, when."""

    kind: str  # created, status, note, attachment, transfer
    actor: str
    at: datetime
    from_status: str | None = None
    to_status: str | None = None
    note: str | None = None
    from_group: str | None = None  # moved (transfer, status change): the group it left, went to
    to_group: str | None = None


@dataclass(frozen=True)
class NewWorkItem:
    """An item as intake files it (status new or triage)."""

    kind: str
    group_slug: str
    subject: str
    body: str
    sender: Sender
    match: CustomerMatch
    channel: str
    source: str
    status: str = "new"
    priority: int = 0
    due_at: datetime | None = None
    preferred_agent: str | None = None
    note: str | None = None  # why it is in triage, or what the router said
    attachments: tuple[Attachment, ...] = ()
    order_id: int | None = None  # the order a remittance slip pays
    call_ref: str | None = None  # "<pbx>:<linkedid>" of the call that owes it: one item per call

    def stored(self, item_id: int, now: datetime) -> WorkItem:
        """The item as stored under `item_id` at `now`."""
        return WorkItem(
            id=item_id,
            kind=self.kind,
            customer_id=self.match.customer_id,
            caller=self.sender.phone,
            group_slug=self.group_slug,
            status=self.status,
            due_at=self.due_at,
            note=self.note,
            created_at=now,
            subject=self.subject,
            body=self.body,
            sender=self.sender,
            match=self.match,
            channel=self.channel,
            source=self.source,
            priority=self.priority,
            preferred_agent=self.preferred_agent,
            updated_at=now,
            attachments=self.attachments,
            order_id=self.order_id,
            call_ref=self.call_ref,
        )


@dataclass(frozen=True)
class WorkItem:
    """A stored work item."""

    id: int
    kind: str
    customer_id: int | None
    caller: str | None  # the sender's E.164 number (a callback's caller)
    group_slug: str
    status: str
    due_at: datetime | None
    note: str | None
    created_at: datetime
    subject: str = ""
    body: str = ""
    sender: Sender = field(default_factory=Sender)
    match: CustomerMatch = field(default_factory=lambda: CustomerMatch("unknown"))
    channel: str = "web"
    source: str = "rest"
    priority: int = 0
    preferred_agent: str | None = None
    owner_agent_id: int | None = None
    outcome: str | None = None
    disposition_code: str | None = None
    updated_at: datetime | None = None
    attachments: tuple[Attachment, ...] = ()
    order_id: int | None = None  # the order a remittance slip pays
    call_ref: str | None = None  # the call that owes this callback ("<pbx>:<linkedid>")

    @property
    def is_open(self) -> bool:
        """Not yet done, cancelled or failed."""
        return self.status not in FINAL_STATUSES
