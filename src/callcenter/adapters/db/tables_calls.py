"""ORM tables of finished calls (work items: tables_work)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.adapters.db.tables import Base
from callcenter.adapters.db.types import Id, UtcDateTime, one_of
from callcenter.domain.contacts import CALL_OUTCOMES, DIRECTIONS


class CallRecordRow(Base):
    __tablename__ = "call_records"
    __table_args__ = (
        UniqueConstraint("pbx", "linkedid"),
        Index("ix_call_records_customer_id_started_at", "customer_id", "started_at"),
        Index("ix_call_records_started_at", "started_at"),
        CheckConstraint(one_of("direction", DIRECTIONS), name="direction"),
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
