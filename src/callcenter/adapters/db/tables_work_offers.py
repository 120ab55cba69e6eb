"""ORM tables of work-item offers (who holds each open item, until when, who declined it) and
of agents' work-group logins."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.adapters.db.tables import Base
from callcenter.adapters.db.types import Id, UtcDateTime


class WorkOfferRow(Base):
    """One row per work item that has been offered: the item's reservation and callback tries
    (its status, owner, outcome and disposition live on work_items)."""

    __tablename__ = "work_offers"
    __table_args__ = (Index("ix_work_offers_agent", "agent"),)

    item_id: Mapped[int] = mapped_column(
        Id, ForeignKey("work_items.id", ondelete="CASCADE"), primary_key=True
    )
    agent: Mapped[str | None] = mapped_column(String(20))  # offered to / owned by
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())  # of the offer
    declined: Mapped[list[str]] = mapped_column(JSON)  # agents who rejected or let it time out
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    not_before: Mapped[datetime | None] = mapped_column(UtcDateTime())  # a callback's retry
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class AgentWorkLoginRow(Base):
    """An agent's choice for one group's work items: logged in or out (apart from the voice
    queues); a group without a row follows the voice queues if `WORK_LOGIN_FOLLOWS_QUEUES`."""

    __tablename__ = "agent_work_logins"

    agent_code: Mapped[str] = mapped_column(
        String(20), ForeignKey("agents.code", ondelete="CASCADE"), primary_key=True
    )
    group_slug: Mapped[str] = mapped_column(
        String(40), ForeignKey("groups.slug", ondelete="CASCADE"), primary_key=True
    )
    logged_in: Mapped[bool] = mapped_column(Boolean)
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    changed_by: Mapped[str] = mapped_column(String(40))
