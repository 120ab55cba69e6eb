"""The AuditLog port over the database; each call is its own short transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.tables_audit import AuditRow
from callcenter.ports.audit import AuditEntry


class SqlAuditLog:
    """Audit entries in the `audit_log` table."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, entry: AuditEntry) -> int:
        async with self._engine.begin() as conn:
            result = await conn.execute(
                insert(AuditRow)
                .values(
                    kind=entry.kind,
                    actor=entry.actor[:80],
                    agent_code=entry.agent_code,
                    pbx=entry.pbx,
                    linkedid=entry.linkedid,
                    detail=entry.detail[:200],
                    started_at=entry.started_at,
                    ended_at=entry.ended_at,
                )
                .returning(AuditRow.id)
            )
            return int(result.scalar_one())

    async def close(self, entry_id: int, *, ended_at: datetime) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(AuditRow)
                .where(AuditRow.id == entry_id, AuditRow.ended_at.is_(None))
                .values(ended_at=ended_at)
            )

    async def recent(self, *, kind: str | None = None, limit: int = 100) -> list[AuditEntry]:
        query = select(AuditRow).order_by(AuditRow.started_at.desc(), AuditRow.id.desc())
        if kind is not None:
            query = query.where(AuditRow.kind == kind)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query.limit(limit))).all()
        return [
            AuditEntry(
                kind=row.kind,
                actor=row.actor,
                agent_code=row.agent_code,
                pbx=row.pbx,
                linkedid=row.linkedid,
                detail=row.detail,
                started_at=row.started_at,
                ended_at=row.ended_at,
                id=row.id,
            )
            for row in rows
        ]
