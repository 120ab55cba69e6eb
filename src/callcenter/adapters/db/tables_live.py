"""ORM table of the calls in progress, journalled so a restarted process can finish them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.adapters.db.tables import Base
from callcenter.adapters.db.types import UtcDateTime


class LiveCallRow(Base):
    """One live call of one PBX as last journalled; deleted once its record is stored."""

    __tablename__ = "live_calls"

    pbx: Mapped[str] = mapped_column(String(64), primary_key=True)
    linkedid: Mapped[str] = mapped_column(String(64), primary_key=True)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
