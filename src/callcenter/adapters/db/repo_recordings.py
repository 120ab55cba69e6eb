"""The RecordingIndex port over the call_recordings table; a batch of files per transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.tables_audit import CallRecordingRow
from callcenter.ports.recordings import StoredRecording

_TABLE = CallRecordingRow.__table__


class SqlRecordingIndex:
    """Recordings of stored calls, with size, duration, hash, group and pauses."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._insert: Any = (
            postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        )

    async def add(self, recording: StoredRecording) -> None:
        await self.add_many([recording])

    async def add_many(self, recordings: Sequence[StoredRecording]) -> int:
        """One INSERT of every row, those indexed already skipped (a replayed call)."""
        if not recordings:
            return 0
        rows = [
            {
                "pbx": r.pbx,
                "linkedid": r.linkedid,
                "file": r.file,
                "size_bytes": r.size_bytes,
                "duration_s": r.duration_s,
                "sha256": r.sha256,
                "pauses": list(r.pauses) or None,
                "group_slug": r.group_slug,
                "stored_at": r.stored_at,
            }
            for r in recordings
        ]
        statement = self._insert(_TABLE).on_conflict_do_nothing(
            index_elements=["pbx", "linkedid", "file"]
        )
        async with self._engine.begin() as conn:
            result = await conn.execute(statement.returning(_TABLE.c.id), rows)
            return len(result.all())

    async def for_call(self, pbx: str, linkedid: str) -> list[StoredRecording]:
        query = (
            select(CallRecordingRow)
            .where(CallRecordingRow.pbx == pbx, CallRecordingRow.linkedid == linkedid)
            .order_by(CallRecordingRow.id)
        )
        return await self._rows(query)

    async def stored_before(self, group_slug: str, before: datetime) -> list[StoredRecording]:
        query = (
            select(CallRecordingRow)
            .where(CallRecordingRow.group_slug == group_slug, CallRecordingRow.stored_at < before)
            .order_by(CallRecordingRow.id)
        )
        return await self._rows(query)

    async def remove(self, recording: StoredRecording) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                delete(CallRecordingRow).where(
                    CallRecordingRow.pbx == recording.pbx,
                    CallRecordingRow.linkedid == recording.linkedid,
                    CallRecordingRow.file == recording.file,
                )
            )

    async def _rows(self, query: object) -> list[StoredRecording]:
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()  # type: ignore[call-overload]
        return [
            StoredRecording(
                pbx=r.pbx,
                linkedid=r.linkedid,
                file=r.file,
                size_bytes=r.size_bytes,
                duration_s=r.duration_s,
                sha256=r.sha256,
                group_slug=r.group_slug,
                stored_at=r.stored_at,
                pauses=tuple(r.pauses or ()),
            )
            for r in rows
        ]
