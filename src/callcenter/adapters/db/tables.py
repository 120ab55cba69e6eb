"""ORM tables of the call center; the schema itself is created only by the Alembic migrations."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from callcenter.adapters.db.types import NAMING, Id, UtcDateTime, one_of
from callcenter.domain.records import CALL_OUTCOMES


class Base(DeclarativeBase):
    """Declarative base with deterministic constraint names (needed for downgrades)."""

    metadata = MetaData(naming_convention=NAMING)


class GroupRow(Base):
    __tablename__ = "groups"

    slug: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    name_zh: Mapped[str] = mapped_column(String(40))
    queue: Mapped[str] = mapped_column(String(80), unique=True)
    entry_point: Mapped[str] = mapped_column(String(20), unique=True)
    sl_target_seconds: Mapped[int] = mapped_column(Integer, default=20)
    sl_target_percent: Mapped[int] = mapped_column(Integer, default=80)
    overflow_group: Mapped[str | None] = mapped_column(ForeignKey("groups.slug"))
    overflow_after_s: Mapped[int | None] = mapped_column(Integer)


class CustomerRow(Base):
    __tablename__ = "customers"
    __table_args__ = (
        CheckConstraint(one_of("segment", ("regular", "senior", "vip")), name="segment"),
        CheckConstraint(
            "credit_rating IS NULL OR credit_rating IN ('A', 'B', 'C', 'D')", name="credit_rating"
        ),
        Index("ix_customers_name", "name", postgresql_ops={"name": "text_pattern_ops"}),
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
    __table_args__ = (
        CheckConstraint(one_of("kind", ("mobile", "landline", "work", "other")), name="kind"),
    )

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
            one_of(
                "channel",
                ("postal_remittance", "sms", "phone", "email", "web", "telemarketing", "bookstore"),
            ),
            name="channel",
        ),
        CheckConstraint(
            one_of("status", ("placed", "paid", "shipped", "delivered", "returned", "cancelled")),
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
            one_of("category", ("delivery", "quality", "billing", "membership", "editorial")),
            name="category",
        ),
        CheckConstraint(one_of("severity", ("low", "medium", "high", "critical")), name="severity"),
        CheckConstraint(
            one_of("status", ("open", "in_progress", "escalated", "resolved", "closed")),
            name="status",
        ),
        CheckConstraint(
            one_of("escalation_level", ("hotline", "editor", "author_expert")),
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
    __table_args__ = (
        CheckConstraint(
            one_of("kind", ("created", "transition", "escalated", "note")), name="kind"
        ),
    )

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
        CheckConstraint(
            one_of("channel", ("call", "email", "letter", "sms", "web")), name="channel"
        ),
        CheckConstraint(one_of("direction", ("inbound", "outbound")), name="direction"),
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


class AgentRow(Base):
    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    interface: Mapped[str] = mapped_column(String(120))
    state_interface: Mapped[str | None] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(Boolean)


class AgentSkillRow(Base):
    __tablename__ = "agent_skills"
    __table_args__ = (CheckConstraint("level BETWEEN 1 AND 10", name="level"),)

    agent_id: Mapped[int] = mapped_column(
        ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True
    )
    group_slug: Mapped[str] = mapped_column(ForeignKey("groups.slug"), primary_key=True)
    level: Mapped[int] = mapped_column(Integer)


class ApiTokenRow(Base):
    __tablename__ = "api_tokens"
    __table_args__ = (
        CheckConstraint(one_of("role", ("admin", "supervisor", "agent", "dialplan")), name="role"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(12))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    label: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class CallRecordRow(Base):
    __tablename__ = "call_records"
    __table_args__ = (
        UniqueConstraint("pbx", "linkedid"),
        Index("ix_call_records_customer_id_started_at", "customer_id", "started_at"),
        Index("ix_call_records_started_at", "started_at"),
        CheckConstraint(one_of("direction", ("inbound", "outbound")), name="direction"),
        CheckConstraint(one_of("outcome", CALL_OUTCOMES), name="outcome"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    pbx: Mapped[str] = mapped_column(String(64))
    linkedid: Mapped[str] = mapped_column(String(64))
    direction: Mapped[str] = mapped_column(String(10))
    caller: Mapped[str | None] = mapped_column(String(20))
    caller_name: Mapped[str | None] = mapped_column(String(120))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    queues: Mapped[list[str]] = mapped_column(JSON)
    agent: Mapped[str | None] = mapped_column(String(120))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    outcome: Mapped[str] = mapped_column(String(20))
    wait_s: Mapped[float] = mapped_column(Float)
    talk_s: Mapped[float] = mapped_column(Float)
    ring_attempts: Mapped[int] = mapped_column(Integer)
    transferred: Mapped[bool] = mapped_column(Boolean)
    routing: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime] = mapped_column(UtcDateTime())
    wrapup_s: Mapped[float | None] = mapped_column(Float)
    disposition_code: Mapped[str | None] = mapped_column(String(40))
    settled_first_contact: Mapped[bool | None] = mapped_column(Boolean)
    legs: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)  # [{agent, queue, talk_s}]
    monitored: Mapped[int] = mapped_column(Integer, server_default="0")
    recordings: Mapped[list[str] | None] = mapped_column(JSON)
    amd: Mapped[str | None] = mapped_column(String(10))
    caller_verified: Mapped[bool | None] = mapped_column(Boolean)
    ended_during_outage: Mapped[bool] = mapped_column(Boolean, server_default=false())


class WorkItemRow(Base):
    __tablename__ = "work_items"
    __table_args__ = (Index("ix_work_items_status_due_at", "status", "due_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    caller: Mapped[str | None] = mapped_column(String(20))
    group_slug: Mapped[str] = mapped_column(ForeignKey("groups.slug"))
    status: Mapped[str] = mapped_column(String(12))
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
