"""The audit log (who listened to, whispered to, barged into or played which call) and the
recording files of each call."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.adapters.db.tables import Base
from callcenter.adapters.db.types import Id, UtcDateTime


class AuditRow(Base):
    """One audited action; a monitoring session is closed (`ended_at`) on ChanSpyStop."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_kind_started_at", "kind", "started_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # monitor | recording | agent_control
    actor: Mapped[str] = mapped_column(String(80))
    agent_code: Mapped[str | None] = mapped_column(String(20))
    pbx: Mapped[str | None] = mapped_column(String(64))
    linkedid: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class CallRecordingRow(Base):
    """A call's recording file as stored: size, duration, hash, and the pauses made on it."""

    __tablename__ = "call_recordings"
    __table_args__ = (UniqueConstraint("pbx", "linkedid", "file"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    pbx: Mapped[str] = mapped_column(String(64))
    linkedid: Mapped[str] = mapped_column(String(64))
    file: Mapped[str] = mapped_column(String(255))
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    duration_s: Mapped[float | None] = mapped_column(Float)
    sha256: Mapped[str | None] = mapped_column(String(64))
    pauses: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    group_slug: Mapped[str | None] = mapped_column(String(40))
    stored_at: Mapped[datetime] = mapped_column(UtcDateTime())
