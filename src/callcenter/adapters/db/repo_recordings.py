"""The RecordingIndex port over the call_recordings table; each call its own transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.tables_audit import CallRecordingRow
from callcenter.ports.recordings import StoredRecording


class SqlRecordingIndex:
    """Recordings of stored calls, with size, duration, hash, group and pauses."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, recording: StoredRecording) -> None:
        try:
            async with self._engine.begin() as conn:
                await conn.execute(
                    insert(CallRecordingRow).values(
                        pbx=recording.pbx,
                        linkedid=recording.linkedid,
                        file=recording.file,
                        size_bytes=recording.size_bytes,
                        duration_s=recording.duration_s,
                        sha256=recording.sha256,
                        pauses=list(recording.pauses) or None,
                        group_slug=recording.group_slug,
                        stored_at=recording.stored_at,
                    )
                )
        except IntegrityError:
            pass  # indexed already (a replayed call)

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
