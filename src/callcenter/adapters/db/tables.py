"""ORM tables of the call center; the schema itself is created only by the Alembic migrations.

This module holds the declarative base and the staff tables (groups, agents, skills, API tokens);
the other tables live beside it by concept (tables_customers, tables_calls, tables_history)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    MetaData,
    String,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from callcenter.adapters.db.types import NAMING, Id, UtcDateTime, one_of
from callcenter.domain.access.auth import ROLES


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
    __table_args__ = (CheckConstraint(one_of("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(12))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    label: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
