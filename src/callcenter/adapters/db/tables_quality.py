"""ORM tables of quality scoring: scorecards per group and supervisors' evaluations of calls."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.adapters.db.tables import Base
from callcenter.adapters.db.types import Id, UtcDateTime


class ScorecardRow(Base):
    """A group's scorecard; `criteria` is a list of {key, label, weight}."""

    __tablename__ = "quality_scorecards"
    __table_args__ = (UniqueConstraint("group_slug", "name"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    group_slug: Mapped[str] = mapped_column(ForeignKey("groups.slug"))
    name: Mapped[str] = mapped_column(String(80))
    scale: Mapped[int] = mapped_column(Integer)
    criteria: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class EvaluationRow(Base):
    """One scorer's ratings of one call on one scorecard."""

    __tablename__ = "quality_evaluations"
    __table_args__ = (
        UniqueConstraint("scorecard_id", "pbx", "linkedid", "scorer"),
        Index("ix_quality_evaluations_pbx_linkedid", "pbx", "linkedid"),
        Index("ix_quality_evaluations_agent_code_scored_at", "agent_code", "scored_at"),
        Index("ix_quality_evaluations_group_slug_scored_at", "group_slug", "scored_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("quality_scorecards.id"))
    pbx: Mapped[str] = mapped_column(String(64))
    linkedid: Mapped[str] = mapped_column(String(64))
    agent_code: Mapped[str] = mapped_column(String(20))
    group_slug: Mapped[str] = mapped_column(String(40))
    scorer: Mapped[str] = mapped_column(String(80))
    ratings: Mapped[dict[str, int]] = mapped_column(JSON)
    total: Mapped[float] = mapped_column(Float)
    comment: Mapped[str | None] = mapped_column(Text)
    recording: Mapped[str | None] = mapped_column(String(255))
    scored_at: Mapped[datetime] = mapped_column(UtcDateTime())
