"""ORM tables of append-only histories kept beside the main tables (see tables.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.adapters.db.tables import Base
from callcenter.adapters.db.types import Id, UtcDateTime


class CallDispositionRow(Base):
    """Every disposition given for a call, in order; the newest is copied onto the call."""

    __tablename__ = "call_dispositions"
    __table_args__ = (Index("ix_call_dispositions_pbx_linkedid", "pbx", "linkedid"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    pbx: Mapped[str] = mapped_column(String(64))
    linkedid: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(40))
    settled: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(Text)
    agent_code: Mapped[str] = mapped_column(String(20))
    set_by: Mapped[str] = mapped_column(String(80))
    set_at: Mapped[datetime] = mapped_column(UtcDateTime())
