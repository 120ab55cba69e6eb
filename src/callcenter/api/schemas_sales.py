"""Request and response models of the order, complaint and contact routes."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Self

from pydantic import BaseModel, Field, StringConstraints

from callcenter.api.fields import ONE_LINE, PROSE, DbId, DecimalText, Moment, UtcTime
from callcenter.api.schemas import Strict
from callcenter.domain.complaints.records import ComplaintCategory as Category
from callcenter.domain.complaints.records import ComplaintEvent, ComplaintStatus, Severity
from callcenter.domain.contacts import Contact, ContactChannel, Direction
from callcenter.domain.orders import Order, OrderChannel, OrderStatus
from callcenter.services.sales import ComplaintWithLog

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
    unit_price: DecimalText


class OrderOut(BaseModel):
    """An order with its items; money as decimal strings."""

    id: int
    customer_id: int
    order_number: str
    channel: str
    status: str
    total: DecimalText
    currency: str
    placed_at: UtcTime
    items: list[ItemOut]

    @classmethod
    def of(cls, o: Order) -> Self:
        """From the stored record (same-named fields)."""
        return cls.model_validate(o, from_attributes=True)


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

    at: UtcTime
    kind: str
    from_status: str | None
    to_status: str | None
    actor: str
    note: str | None

    @classmethod
    def of(cls, e: ComplaintEvent) -> Self:
        """From the stored record (same-named fields)."""
        return cls.model_validate(e, from_attributes=True)


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
    sla_due_at: UtcTime
    owner_group: str
    owner_agent_id: int | None
    escalation_level: str
    book_title: str | None
    created_at: UtcTime
    updated_at: UtcTime
    legal_transitions: list[str]
    events: list[EventOut]

    @classmethod
    def of(cls, found: ComplaintWithLog, legal: tuple[str, ...]) -> Self:
        """From the service's complaint (same-named fields) and log."""
        return cls.model_validate(
            {**vars(found.complaint), "legal_transitions": legal, "events": found.events},
            from_attributes=True,
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
    group: str | None = Field(validation_alias="group_slug")
    agent_code: str | None
    outcome: str | None
    disposition_code: str | None
    settled_first_contact: bool
    note: str | None
    started_at: UtcTime
    ended_at: UtcTime | None

    @classmethod
    def of(cls, c: Contact) -> Self:
        """From the stored record (same-named fields; `group` is the record's `group_slug`)."""
        return cls.model_validate(c, from_attributes=True)
