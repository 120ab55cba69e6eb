"""ORM tables of telemarketing campaigns: campaigns, list records, attempts, do-not-call."""

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
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.adapters.db.tables import Base
from callcenter.adapters.db.types import Id, UtcDateTime, one_of
from callcenter.domain.campaigns.campaign import AMD_ACTIONS, CAMPAIGN_STATES, DIAL_MODES
from callcenter.domain.campaigns.records import ATTEMPT_OUTCOMES, RECORD_STATUSES


class CampaignRow(Base):
    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint(one_of("mode", DIAL_MODES), name="mode"),
        CheckConstraint(one_of("state", CAMPAIGN_STATES), name="state"),
        CheckConstraint(one_of("amd_action", AMD_ACTIONS), name="amd_action"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    group_slug: Mapped[str] = mapped_column(ForeignKey("groups.slug"))
    mode: Mapped[str] = mapped_column(String(12))
    state: Mapped[str] = mapped_column(String(10))
    window_start: Mapped[str] = mapped_column(String(5))  # HH:MM, customer's local time
    window_end: Mapped[str] = mapped_column(String(5))
    window_days: Mapped[str] = mapped_column(String(7))  # e.g. "01234" = Monday to Friday
    max_attempts: Mapped[int] = mapped_column(Integer)
    retry_delays: Mapped[dict[str, float]] = mapped_column(JSON)
    abandon_cap_pct: Mapped[float] = mapped_column(Float)
    dial_level_cap: Mapped[float | None] = mapped_column(Float)  # lines per agent, at most
    connect_within_s: Mapped[float] = mapped_column(Float)
    amd_action: Mapped[str] = mapped_column(String(10))
    amd_false_positive_is_abandon: Mapped[bool] = mapped_column(Boolean)
    caller_id_number: Mapped[str] = mapped_column(String(32))
    caller_id_name: Mapped[str] = mapped_column(String(80))
    script: Mapped[str] = mapped_column(Text)
    offer: Mapped[str] = mapped_column(Text)
    source: Mapped[dict[str, Any]] = mapped_column(JSON)  # the segment or "csv"
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class CampaignRecordRow(Base):
    __tablename__ = "campaign_records"
    __table_args__ = (
        UniqueConstraint("campaign_id", "number"),
        Index("ix_campaign_records_campaign_id_status_next_at", "campaign_id", "status", "next_at"),
        CheckConstraint(one_of("status", RECORD_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    number: Mapped[str] = mapped_column(String(20))  # E.164
    name: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(8))
    attempts: Mapped[int] = mapped_column(Integer)
    next_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_outcome: Mapped[str | None] = mapped_column(String(12))
    closed_reason: Mapped[str | None] = mapped_column(String(20))


class CampaignAttemptRow(Base):
    __tablename__ = "campaign_attempts"
    __table_args__ = (
        Index("ix_campaign_attempts_campaign_id_answered_at", "campaign_id", "answered_at"),
        CheckConstraint(
            "outcome IS NULL OR " + one_of("outcome", ATTEMPT_OUTCOMES), name="outcome"
        ),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    record_id: Mapped[int] = mapped_column(
        ForeignKey("campaign_records.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    outcome: Mapped[str | None] = mapped_column(String(12))
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    connected_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    agent: Mapped[str | None] = mapped_column(String(80))
    linkedid: Mapped[str | None] = mapped_column(String(64))
    disposition: Mapped[str | None] = mapped_column(String(20))  # the agent's closing code


class DncNumberRow(Base):
    __tablename__ = "dnc_numbers"

    number: Mapped[str] = mapped_column(String(20), primary_key=True)  # E.164
    reason: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime())
