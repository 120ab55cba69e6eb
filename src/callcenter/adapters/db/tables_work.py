"""ORM tables of work items, their logged changes and their stored attachments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.adapters.db.tables import Base
from callcenter.adapters.db.types import Id, UtcDateTime, one_of
from callcenter.domain.work_items import (
    MATCH_STATUSES,
    WORK_CHANNELS,
    WORK_KINDS,
    WORK_SOURCES,
    WORK_STATUSES,
)


class WorkItemRow(Base):
    __tablename__ = "work_items"
    __table_args__ = (
        Index("ix_work_items_status_due_at", "status", "due_at"),
        Index("ix_work_items_group_slug_status", "group_slug", "status"),
        Index("ux_work_items_call_ref", "call_ref", unique=True),
        Index("ix_work_items_updated_at", "updated_at"),  # the change feed's incremental reads
        CheckConstraint(one_of("kind", WORK_KINDS), name="kind"),
        CheckConstraint(one_of("status", WORK_STATUSES), name="status"),
        CheckConstraint(one_of("channel", WORK_CHANNELS), name="channel"),
        CheckConstraint(one_of("source", WORK_SOURCES), name="source"),
        CheckConstraint(one_of("match_status", MATCH_STATUSES), name="match_status"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    caller: Mapped[str | None] = mapped_column(String(20))
    group_slug: Mapped[str] = mapped_column(ForeignKey("groups.slug"))
    status: Mapped[str] = mapped_column(String(12))
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    subject: Mapped[str] = mapped_column(String(500), server_default="")
    body: Mapped[str] = mapped_column(Text, server_default="")
    sender_email: Mapped[str | None] = mapped_column(String(320))
    sender_member_no: Mapped[str | None] = mapped_column(String(40))
    match_status: Mapped[str] = mapped_column(String(10), server_default="unknown")
    candidates: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    channel: Mapped[str] = mapped_column(String(10), server_default="web")
    source: Mapped[str] = mapped_column(String(10), server_default="rest")
    priority: Mapped[int] = mapped_column(Integer, server_default="0")
    preferred_agent: Mapped[str | None] = mapped_column(String(20))
    owner_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    outcome: Mapped[str | None] = mapped_column(String(40))
    disposition_code: Mapped[str | None] = mapped_column(String(40))
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    call_ref: Mapped[str | None] = mapped_column(String(160))  # the call owing this callback


class WorkItemEventRow(Base):
    __tablename__ = "work_item_events"
    __table_args__ = (Index("ix_work_item_events_work_item_id_id", "work_item_id", "id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    work_item_id: Mapped[int] = mapped_column(ForeignKey("work_items.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(80))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str | None] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    from_group: Mapped[str | None] = mapped_column(String(40))  # a transfer's groups
    to_group: Mapped[str | None] = mapped_column(String(40))


class WorkItemAttachmentRow(Base):
    __tablename__ = "work_item_attachments"
    __table_args__ = (Index("ix_work_item_attachments_work_item_id", "work_item_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    work_item_id: Mapped[int] = mapped_column(ForeignKey("work_items.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    stored_as: Mapped[str] = mapped_column(String(200))
