"""Request and response models of the order, complaint and contact routes."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import BaseModel, Field, StringConstraints

from callcenter.api.fields import ONE_LINE, PROSE, DbId, Moment
from callcenter.api.schemas import Strict
from callcenter.domain.complaints.records import Complaint, ComplaintEvent
from callcenter.domain.contacts import Contact
from callcenter.domain.orders import Order
from callcenter.services.sales import ComplaintWithLog

OrderChannel = Literal[
    "postal_remittance", "sms", "phone", "email", "web", "telemarketing", "bookstore"
]
OrderStatus = Literal["placed", "paid", "shipped", "delivered", "returned", "cancelled"]
Category = Literal["delivery", "quality", "billing", "membership", "editorial"]
Severity = Literal["low", "medium", "high", "critical"]
ComplaintStatus = Literal["open", "in_progress", "escalated", "resolved", "closed"]
ContactChannel = Literal["call", "email", "letter", "sms", "web"]
Direction = Literal["inbound", "outbound"]
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), ONE_LINE
]
Code = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9_.-]{1,40}$"), ONE_LINE
]
Isbn = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9Xx-]{10,17}$"), ONE_LINE
]
Note = Annotated[str, StringConstraints(max_length=2000), PROSE]
Description = Annotated[str, StringConstraints(max_length=10_000), PROSE]


class ItemIn(Strict):
    """One order line."""

    title: Text
    isbn: Isbn | None = None
    quantity: int = Field(ge=1, le=10_000)
    unit_price: Decimal = Field(ge=0, max_digits=12, decimal_places=2)


class OrderIn(Strict):
    """A new order; `placed_at` defaults to now and must carry a UTC offset."""

    channel: OrderChannel
    status: OrderStatus = "placed"
    placed_at: Moment | None = None
    order_number: Code | None = None
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "CNY"
    items: list[ItemIn] = Field(min_length=1, max_length=200)


class ItemOut(BaseModel):
    """One order line."""

    title: str
    isbn: str | None
    quantity: int
    unit_price: str


class OrderOut(BaseModel):
    """An order with its items; money as decimal strings."""

    id: int
    customer_id: int
    order_number: str
    channel: str
    status: str
    total: str
    currency: str
    placed_at: datetime
    items: list[ItemOut]

    @classmethod
    def of(cls, o: Order) -> Self:
        """From the stored record."""
        return cls(
            id=o.id,
            customer_id=o.customer_id,
            order_number=o.order_number,
            channel=o.channel,
            status=o.status,
            total=str(o.total),
            currency=o.currency,
            placed_at=_utc(o.placed_at),
            items=[
                ItemOut(
                    title=i.title, isbn=i.isbn, quantity=i.quantity, unit_price=str(i.unit_price)
                )
                for i in o.items
            ],
        )


class ComplaintIn(Strict):
    """A new complaint; owner group follows from the category unless given."""

    customer_id: DbId
    category: Category
    severity: Severity = "medium"
    subject: Text
    description: Description = ""
    order_id: DbId | None = None
    book_title: Text | None = None
    owner_group: Code | None = None
    owner_agent: Code | None = None


class TransitionIn(Strict):
    """The status to move to, with an optional note for the log."""

    to: ComplaintStatus
    note: Note | None = None


class EscalateIn(Strict):
    """An escalation; optionally hand the complaint to another group."""

    note: Note | None = None
    owner_group: Code | None = None


class EventOut(BaseModel):
    """One logged change."""

    at: datetime
    kind: str
    from_status: str | None
    to_status: str | None
    actor: str
    note: str | None

    @classmethod
    def of(cls, e: ComplaintEvent) -> Self:
        """From the stored record."""
        return cls(
            at=_utc(e.at),
            kind=e.kind,
            from_status=e.from_status,
            to_status=e.to_status,
            actor=e.actor,
            note=e.note,
        )


class ComplaintOut(BaseModel):
    """A complaint with its change log and the statuses it may move to next."""

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
    legal_transitions: list[str]
    events: list[EventOut]

    @classmethod
    def of(cls, found: ComplaintWithLog, legal: tuple[str, ...]) -> Self:
        """From the service's complaint and log."""
        c: Complaint = found.complaint
        return cls(
            id=c.id,
            customer_id=c.customer_id,
            order_id=c.order_id,
            category=c.category,
            severity=c.severity,
            status=c.status,
            subject=c.subject,
            description=c.description,
            sla_due_at=_utc(c.sla_due_at),
            owner_group=c.owner_group,
            owner_agent_id=c.owner_agent_id,
            escalation_level=c.escalation_level,
            book_title=c.book_title,
            created_at=_utc(c.created_at),
            updated_at=_utc(c.updated_at),
            legal_transitions=list(legal),
            events=[EventOut.of(e) for e in found.events],
        )


class ContactIn(Strict):
    """One interaction to record; an agent token records only its own contacts."""

    channel: ContactChannel
    direction: Direction
    customer_id: DbId | None = None
    group: Code | None = None
    agent_code: Code | None = None
    outcome: Code | None = None
    disposition_code: Code | None = None
    settled_first_contact: bool = False
    note: Description | None = None
    started_at: Moment | None = None
    ended_at: Moment | None = None


class ContactOut(BaseModel):
    """One stored interaction."""

    id: int
    customer_id: int | None
    channel: str
    direction: str
    group: str | None
    agent_code: str | None
    outcome: str | None
    disposition_code: str | None
    settled_first_contact: bool
    note: str | None
    started_at: datetime
    ended_at: datetime | None

    @classmethod
    def of(cls, c: Contact) -> Self:
        """From the stored record."""
        return cls(
            id=c.id,
            customer_id=c.customer_id,
            channel=c.channel,
            direction=c.direction,
            group=c.group_slug,
            agent_code=c.agent_code,
            outcome=c.outcome,
            disposition_code=c.disposition_code,
            settled_first_contact=c.settled_first_contact,
            note=c.note,
            started_at=_utc(c.started_at),
            ended_at=_utc(c.ended_at) if c.ended_at else None,
        )


def _utc(moment: datetime) -> datetime:
    """Every timestamp leaves in UTC; naive ones (SQLite) already are."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
