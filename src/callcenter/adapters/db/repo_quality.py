"""The QualityStore port over the database; each call is its own short transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.integrity import unique
from callcenter.adapters.db.tables_quality import EvaluationRow, ScorecardRow
from callcenter.domain.quality.evaluations import Evaluation
from callcenter.domain.quality.scorecards import Criterion, Scorecard


class SqlQualityStore:
    """Scorecards and evaluations in `quality_scorecards` / `quality_evaluations`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add_scorecard(self, card: Scorecard) -> int:
        criteria = [{"key": c.key, "label": c.label, "weight": c.weight} for c in card.criteria]
        with unique(f"scorecard {card.name!r} of group {card.group_slug}"):
            async with self._engine.begin() as conn:
                result = await conn.execute(
                    insert(ScorecardRow)
                    .values(
                        group_slug=card.group_slug,
                        name=card.name,
                        scale=card.scale,
                        criteria=criteria,
                        created_by=card.created_by[:80],
                        created_at=card.created_at,
                    )
                    .returning(ScorecardRow.id)
                )
                return int(result.scalar_one())

    async def scorecard(self, card_id: int) -> Scorecard | None:
        query = select(ScorecardRow).where(ScorecardRow.id == card_id)
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return None if row is None else _card(row)

    async def scorecards(self, *, group_slug: str | None = None) -> list[Scorecard]:
        query = select(ScorecardRow).order_by(ScorecardRow.group_slug, ScorecardRow.id)
        if group_slug is not None:
            query = query.where(ScorecardRow.group_slug == group_slug)
        async with self._engine.connect() as conn:
            return [_card(row) for row in (await conn.execute(query)).all()]

    async def add_evaluation(self, evaluation: Evaluation) -> int:
        e = evaluation
        with unique(f"an evaluation of call {e.linkedid} by {e.scorer} on this scorecard"):
            async with self._engine.begin() as conn:
                result = await conn.execute(
                    insert(EvaluationRow)
                    .values(
                        scorecard_id=e.scorecard_id,
                        pbx=e.pbx,
                        linkedid=e.linkedid,
                        agent_code=e.agent_code,
                        group_slug=e.group_slug,
                        scorer=e.scorer[:80],
                        ratings=dict(e.ratings),
                        total=e.total,
                        comment=e.comment,
                        recording=e.recording,
                        scored_at=e.scored_at,
                    )
                    .returning(EvaluationRow.id)
                )
                return int(result.scalar_one())

    async def of_call(self, pbx: str, linkedid: str) -> list[Evaluation]:
        query = (
            select(EvaluationRow)
            .where(EvaluationRow.pbx == pbx, EvaluationRow.linkedid == linkedid)
            .order_by(EvaluationRow.scored_at, EvaluationRow.id)
        )
        return await self._evaluations(query)

    async def of_agent(
        self, agent_code: str, *, since: datetime | None = None, limit: int = 500
    ) -> list[Evaluation]:
        query = select(EvaluationRow).where(EvaluationRow.agent_code == agent_code)
        if since is not None:
            query = query.where(EvaluationRow.scored_at >= since)
        return await self._evaluations(_newest(query, limit))

    async def of_group(
        self, group_slug: str, *, since: datetime | None = None, limit: int = 5000
    ) -> list[Evaluation]:
        query = select(EvaluationRow).where(EvaluationRow.group_slug == group_slug)
        if since is not None:
            query = query.where(EvaluationRow.scored_at >= since)
        return await self._evaluations(_newest(query, limit))

    async def _evaluations(self, query: Select[Any]) -> list[Evaluation]:
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [
            Evaluation(
                scorecard_id=row.scorecard_id,
                pbx=row.pbx,
                linkedid=row.linkedid,
                agent_code=row.agent_code,
                group_slug=row.group_slug,
                scorer=row.scorer,
                ratings={str(k): int(v) for k, v in row.ratings.items()},
                total=float(row.total),
                scored_at=row.scored_at,
                comment=row.comment,
                recording=row.recording,
                id=row.id,
            )
            for row in rows
        ]


def _newest(query: Select[Any], limit: int) -> Select[Any]:
    return query.order_by(EvaluationRow.scored_at.desc(), EvaluationRow.id.desc()).limit(limit)


def _card(row: Any) -> Scorecard:
    return Scorecard(
        group_slug=row.group_slug,
        name=row.name,
        scale=row.scale,
        criteria=tuple(
            Criterion(key=str(c["key"]), label=str(c["label"]), weight=int(c["weight"]))
            for c in row.criteria
        ),
        created_by=row.created_by,
        created_at=row.created_at,
        id=row.id,
    )
