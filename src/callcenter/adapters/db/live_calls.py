"""LiveCallJournal over the database: one row per live call, replaced as the call changes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.tables_live import LiveCallRow
from callcenter.ports.live_calls import CallKey, Snapshot

_TABLE = LiveCallRow.__table__
_FORGET_CHUNK = 200


class SqlLiveCallJournal:
    """Snapshots upserted in one transaction per batch; SQLite and PostgreSQL."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._insert: Any = (
            postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        )

    async def save(self, batch: Mapping[CallKey, Snapshot]) -> None:
        """Insert or replace these snapshots."""
        if not batch:
            return
        now = datetime.now(UTC)
        rows = [
            {"pbx": pbx, "linkedid": linkedid, "snapshot": data, "updated_at": now}
            for (pbx, linkedid), data in batch.items()
        ]
        statement = self._insert(_TABLE)
        statement = statement.on_conflict_do_update(
            index_elements=["pbx", "linkedid"],
            set_={
                "snapshot": statement.excluded.snapshot,
                "updated_at": statement.excluded.updated_at,
            },
        )
        async with self._engine.begin() as conn:
            await conn.execute(statement, rows)

    async def load(self, pbx: str) -> dict[str, Snapshot]:
        """Every journalled call of one PBX."""
        async with self._engine.connect() as conn:
            result = await conn.execute(
                select(LiveCallRow.linkedid, LiveCallRow.snapshot).where(LiveCallRow.pbx == pbx)
            )
            return {str(linkedid): snapshot for linkedid, snapshot in result.all()}

    async def forget(self, keys: Iterable[CallKey]) -> None:
        """Delete these calls' rows."""
        wanted = list(keys)
        if not wanted:
            return
        async with self._engine.begin() as conn:
            for start in range(0, len(wanted), _FORGET_CHUNK):
                chunk = wanted[start : start + _FORGET_CHUNK]
                await conn.execute(
                    delete(LiveCallRow).where(
                        tuple_(LiveCallRow.pbx, LiveCallRow.linkedid).in_(chunk)
                    )
                )
