"""ORM tables of customers and what they did: phone numbers, orders, complaints, contacts."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.adapters.db.tables import Base
from callcenter.adapters.db.types import Id, UtcDateTime, one_of
from callcenter.domain.complaints.records import (
    COMPLAINT_CATEGORIES,
    COMPLAINT_EVENT_KINDS,
    COMPLAINT_STATUSES,
    ESCALATION_LEVELS,
    SEVERITIES,
)
from callcenter.domain.contacts import CONTACT_CHANNELS, DIRECTIONS
from callcenter.domain.customers.records import PHONE_KINDS, SEGMENTS
from callcenter.domain.orders import ORDER_CHANNELS, ORDER_STATUSES


class CustomerRow(Base):
    __tablename__ = "customers"
    __table_args__ = (
        CheckConstraint(one_of("segment", SEGMENTS), name="segment"),
        CheckConstraint(
            "credit_rating IS NULL OR credit_rating IN ('A', 'B', 'C', 'D')", name="credit_rating"
        ),
        Index("ix_customers_name", "name", postgresql_ops={"name": "text_pattern_ops"}),
        # a mail's sender is matched by address in any case (work-item intake)
        Index("ix_customers_email_lower", func.lower(text("email"))),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    member_number: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    segment: Mapped[str] = mapped_column(String(10))
    roles: Mapped[str] = mapped_column(String(60))  # sorted comma list, e.g. "author,member"
    member_since: Mapped[date] = mapped_column(Date)
    birthday: Mapped[date | None] = mapped_column(Date)
    email: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(80))
    preferred_genres: Mapped[list[str]] = mapped_column(JSON)
    language: Mapped[str] = mapped_column(String(10))
    do_not_call: Mapped[bool] = mapped_column(Boolean)
    credit_rating: Mapped[str | None] = mapped_column(String(1))
    credit_hold: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class PhoneRow(Base):
    __tablename__ = "phone_numbers"
    __table_args__ = (CheckConstraint(one_of("kind", PHONE_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    raw: Mapped[str] = mapped_column(String(64))
    e164: Mapped[str | None] = mapped_column(String(20), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    is_primary: Mapped[bool] = mapped_column(Boolean)


class OrderRow(Base):
    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_customer_id_placed_at", "customer_id", "placed_at"),
        CheckConstraint(
            one_of("channel", ORDER_CHANNELS),
            name="channel",
        ),
        CheckConstraint(
            one_of("status", ORDER_STATUSES),
            name="status",
        ),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    order_number: Mapped[str] = mapped_column(String(30), unique=True)
    channel: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12))
    total: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3))
    placed_at: Mapped[datetime] = mapped_column(UtcDateTime())


class OrderItemRow(Base):
    __tablename__ = "order_items"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    isbn: Mapped[str | None] = mapped_column(String(17))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(Numeric(12, 2))


class ComplaintRow(Base):
    __tablename__ = "complaints"
    __table_args__ = (
        Index("ix_complaints_customer_id_status", "customer_id", "status"),
        CheckConstraint(
            one_of("category", COMPLAINT_CATEGORIES),
            name="category",
        ),
        CheckConstraint(one_of("severity", SEVERITIES), name="severity"),
        CheckConstraint(
            one_of("status", COMPLAINT_STATUSES),
            name="status",
        ),
        CheckConstraint(
            one_of("escalation_level", ESCALATION_LEVELS),
            name="escalation_level",
        ),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    category: Mapped[str] = mapped_column(String(12))
    severity: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12))
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    sla_due_at: Mapped[datetime] = mapped_column(UtcDateTime())
    owner_group: Mapped[str] = mapped_column(ForeignKey("groups.slug"))
    owner_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    escalation_level: Mapped[str] = mapped_column(String(14))
    book_title: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ComplaintEventRow(Base):
    __tablename__ = "complaint_events"
    __table_args__ = (CheckConstraint(one_of("kind", COMPLAINT_EVENT_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    kind: Mapped[str] = mapped_column(String(12))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str | None] = mapped_column(String(12))
    actor: Mapped[str] = mapped_column(String(80))
    note: Mapped[str | None] = mapped_column(Text)


class ContactRow(Base):
    __tablename__ = "contacts"
    __table_args__ = (
        Index("ix_contacts_customer_id_started_at", "customer_id", "started_at"),
        CheckConstraint(one_of("channel", CONTACT_CHANNELS), name="channel"),
        CheckConstraint(one_of("direction", DIRECTIONS), name="direction"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(10))
    direction: Mapped[str] = mapped_column(String(10))
    group_slug: Mapped[str | None] = mapped_column(ForeignKey("groups.slug"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    outcome: Mapped[str | None] = mapped_column(String(20))
    disposition_code: Mapped[str | None] = mapped_column(String(40))
    settled_first_contact: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(Text)
    call_linkedid: Mapped[str | None] = mapped_column(String(64))
    pbx: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
