"""Row-shaped records the database hands out: plain frozen dataclasses, never ORM objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal, get_args

from callcenter.domain.calls.records import CallLeg as CallLeg
from callcenter.domain.calls.records import CallRecord as CallRecord

Segment = Literal["regular", "senior", "vip"]
Role = Literal["member", "online", "author", "distributor"]
PhoneKind = Literal["mobile", "landline", "work", "other"]
OrderChannel = Literal[
    "postal_remittance", "sms", "phone", "email", "web", "telemarketing", "bookstore"
]
OrderStatus = Literal["placed", "paid", "shipped", "delivered", "returned", "cancelled"]
ComplaintCategory = Literal["delivery", "quality", "billing", "membership", "editorial"]
Severity = Literal["low", "medium", "high", "critical"]
ComplaintStatus = Literal["open", "in_progress", "escalated", "resolved", "closed"]
EscalationLevel = Literal["hotline", "editor", "author_expert"]
ContactChannel = Literal["call", "email", "letter", "sms", "web"]
Direction = Literal["inbound", "outbound"]
TokenRole = Literal["admin", "supervisor", "agent", "dialplan"]
CallOutcome = Literal[
    "answered",
    "abandoned",
    "timeout",
    "callback_requested",
    "busy",
    "no_answer",
    "congestion",
    "failed",
    "machine",
]

SEGMENTS: tuple[str, ...] = ("regular", "senior", "vip")
ROLES: tuple[str, ...] = ("member", "online", "author", "distributor")
PHONE_KINDS: tuple[str, ...] = ("mobile", "landline", "work", "other")
ORDER_CHANNELS: tuple[str, ...] = (
    "postal_remittance",
    "sms",
    "phone",
    "email",
    "web",
    "telemarketing",
    "bookstore",
)
ORDER_STATUSES: tuple[str, ...] = (
    "placed",
    "paid",
    "shipped",
    "delivered",
    "returned",
    "cancelled",
)
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
CONTACT_CHANNELS: tuple[str, ...] = ("call", "email", "letter", "sms", "web")
DIRECTIONS: tuple[str, ...] = ("inbound", "outbound")
TOKEN_ROLES: tuple[str, ...] = ("admin", "supervisor", "agent", "dialplan")
CALL_OUTCOMES: tuple[str, ...] = get_args(CallOutcome)
CREDIT_RATINGS: tuple[str, ...] = ("A", "B", "C", "D")


@dataclass(frozen=True)
class PhoneInput:
    """A phone number to store with a customer: raw as given, E.164 when it parses."""

    raw: str
    e164: str | None
    kind: str = "mobile"
    is_primary: bool = False


@dataclass(frozen=True)
class NewCustomer:
    """Everything needed to create a customer; ids and timestamps are the database's."""

    member_number: str
    name: str
    segment: str = "regular"
    roles: tuple[str, ...] = ("member",)
    member_since: date | None = None
    birthday: date | None = None
    email: str | None = None
    city: str | None = None
    preferred_genres: tuple[str, ...] = ()
    language: str = "zh"
    do_not_call: bool = False
    credit_rating: str | None = None
    credit_hold: bool = False
    phones: tuple[PhoneInput, ...] = ()


@dataclass(frozen=True)
class Customer:
    """A customer's profile (any party: member, online user, author, distributor)."""

    id: int
    member_number: str
    name: str
    segment: str
    roles: tuple[str, ...]
    member_since: date
    birthday: date | None
    email: str | None
    city: str | None
    preferred_genres: tuple[str, ...]
    language: str
    do_not_call: bool
    credit_rating: str | None
    credit_hold: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class CustomerSummary:
    """The few customer fields a list or a lookup shows."""

    id: int
    member_number: str
    name: str
    segment: str
    roles: tuple[str, ...]
    city: str | None


@dataclass(frozen=True)
class Phone:
    """One stored phone number of a customer."""

    id: int
    customer_id: int
    raw: str
    e164: str | None
    kind: str
    is_primary: bool


@dataclass(frozen=True)
class NumberOwner:
    """A customer who holds a number, as found by an E.164 lookup."""

    customer: CustomerSummary
    is_primary: bool
    last_contact_at: datetime | None


@dataclass(frozen=True)
class OrderItem:
    """One line of an order."""

    title: str
    isbn: str | None
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class Order:
    """An order with its items."""

    id: int
    customer_id: int
    order_number: str
    channel: str
    status: str
    total: Decimal
    currency: str
    placed_at: datetime
    items: tuple[OrderItem, ...]


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


@dataclass(frozen=True)
class Contact:
    """One interaction with a customer; `agent_code` is joined in from agents."""

    id: int
    customer_id: int | None
    channel: str
    direction: str
    group_slug: str | None
    agent_id: int | None
    agent_code: str | None
    outcome: str | None
    disposition_code: str | None
    settled_first_contact: bool
    note: str | None
    call_linkedid: str | None
    pbx: str | None
    started_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True)
class Skill:
    """An agent's skill in a group; Asterisk queue penalty = 10 - level."""

    group_slug: str
    level: int

    @property
    def penalty(self) -> int:
        """The app_queue member penalty this level maps to (level 10 -> penalty 0)."""
        return 10 - self.level


@dataclass(frozen=True)
class Agent:
    """An agent with their skills."""

    id: int
    code: str
    name: str
    interface: str
    state_interface: str | None
    active: bool
    skills: tuple[Skill, ...] = ()


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
    overflow_group: str | None
    overflow_after_s: int | None


@dataclass(frozen=True)
class ApiToken:
    """A stored API token (only its hash is kept)."""

    id: int
    token_hash: str
    role: str
    agent_id: int | None
    label: str | None
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class WorkItem:
    """A piece of deferred work, e.g. a callback for the letters group."""

    id: int
    kind: str
    customer_id: int | None
    caller: str | None
    group_slug: str
    status: str
    due_at: datetime | None
    note: str | None
    created_at: datetime


@dataclass(frozen=True)
class CustomerBundle:
    """Everything a screen-pop shows about one customer."""

    customer: Customer
    phones: tuple[Phone, ...]
    orders: tuple[Order, ...]
    open_complaints: tuple[Complaint, ...]
    contacts: tuple[Contact, ...]
