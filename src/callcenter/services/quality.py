"""Quality scoring: supervisors score stored calls on their group's scorecard, agents read their
own scores, calibration shows how far several supervisors' scores of one call are apart."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from callcenter.domain.access.auth import MANAGERS, STAFF, Principal
from callcenter.domain.quality.calibration import Calibration, calibrate
from callcenter.domain.quality.evaluations import Evaluation, weighted_total
from callcenter.domain.quality.scorecards import (
    Criterion,
    QualityError,
    Scorecard,
    build_scorecard,
)
from callcenter.domain.quality.summary import ScoreSummary, summarize
from callcenter.ports.audit import AuditEntry, AuditLog
from callcenter.ports.quality import QualityStore
from callcenter.ports.recordings import RecordingIndex
from callcenter.ports.uow import UowFactory
from callcenter.services.call_access import principal_label
from callcenter.services.errors import Conflict, Forbidden, InvalidField, NotFound

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class AgentScores:
    """An agent's evaluations (newest first) and their summary."""

    agent_code: str
    evaluations: list[Evaluation]
    summary: ScoreSummary


class QualityService:
    """Scorecards, evaluations and calibration, authorised and audited."""

    def __init__(
        self,
        *,
        uow: UowFactory,
        store: QualityStore,
        audit: AuditLog,
        recordings: RecordingIndex | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._uow = uow
        self._store = store
        self._audit = audit
        self._recordings = recordings
        self._clock: Clock = clock or (lambda: datetime.now(UTC))

    async def create_scorecard(
        self,
        *,
        group_slug: str,
        name: str,
        scale: int,
        criteria: Sequence[Criterion],
        by: Principal,
    ) -> Scorecard:
        """A new scorecard for a group (supervisors and admins); 409 for a name it already has."""
        _manager(by, "create scorecards")
        async with self._uow() as uow:
            if await uow.groups.get(slug=group_slug) is None:
                raise InvalidField(("group",), f"no group {group_slug!r}")
        try:
            card = build_scorecard(
                group_slug=group_slug,
                name=name,
                scale=scale,
                criteria=criteria,
                created_by=principal_label(by),
                created_at=self._clock(),
            )
        except QualityError as exc:
            raise InvalidField(exc.loc, exc.message) from exc
        card_id = await self._store.add_scorecard(card)
        await self._audit.add(
            AuditEntry(
                kind="quality",
                actor=principal_label(by),
                agent_code=None,
                pbx=None,
                linkedid=None,
                detail=f"scorecard {card_id} {card.name!r} for {group_slug}",
                started_at=card.created_at,
            )
        )
        return await self.scorecard(card_id=card_id, by=by)

    async def scorecard(self, *, card_id: int, by: Principal) -> Scorecard:
        """One scorecard (any staff member may read them)."""
        _staff(by)
        card = await self._store.scorecard(card_id)
        if card is None:
            raise NotFound(f"no scorecard {card_id}")
        return card

    async def scorecards(self, *, group_slug: str | None, by: Principal) -> list[Scorecard]:
        """The scorecards, of one group or all."""
        _staff(by)
        return await self._store.scorecards(group_slug=group_slug)

    async def score_call(
        self,
        *,
        pbx: str,
        linkedid: str,
        scorecard_id: int,
        ratings: Mapping[str, int],
        comment: str | None,
        by: Principal,
    ) -> Evaluation:
        """A supervisor's evaluation of a stored call; one per scorer, call and scorecard."""
        _manager(by, "score calls")
        card = await self._store.scorecard(scorecard_id)
        if card is None:
            raise InvalidField(("scorecard_id",), f"no scorecard {scorecard_id}")
        async with self._uow() as uow:
            record = await uow.calls.get(pbx, linkedid)
            if record is None:
                raise NotFound(f"no stored call {linkedid} on {pbx}")
            agent = (
                None if record.agent_id is None else await uow.agents.get(agent_id=record.agent_id)
            )
            queues = {g.queue: g.slug for g in await uow.groups.list_all()}
        if agent is None:
            raise Conflict(f"call {linkedid} was answered by no known agent; nobody to score")
        groups = [queues[q] for q in record.queues if q in queues]
        if groups and card.group_slug not in groups:
            raise InvalidField(
                ("scorecard_id",),
                f"scorecard {scorecard_id} is for {card.group_slug}; the call was in {groups}",
            )
        try:
            total = weighted_total(card, ratings)
        except QualityError as exc:
            raise InvalidField(exc.loc, exc.message) from exc
        evaluation = Evaluation(
            scorecard_id=scorecard_id,
            pbx=pbx,
            linkedid=linkedid,
            agent_code=agent.code,
            group_slug=card.group_slug,
            scorer=principal_label(by),
            ratings=dict(ratings),
            total=total,
            scored_at=self._clock(),
            comment=(comment or "").strip() or None,
            recording=await self._recording_of(pbx, linkedid),
        )
        evaluation_id = await self._store.add_evaluation(evaluation)
        await self._audit.add(
            AuditEntry(
                kind="quality",
                actor=evaluation.scorer,
                agent_code=agent.code,
                pbx=pbx,
                linkedid=linkedid,
                detail=f"scored {total:.1f} on scorecard {scorecard_id}",
                started_at=evaluation.scored_at,
            )
        )
        log.info("%s scored call %s of %s: %.1f", evaluation.scorer, linkedid, agent.code, total)
        return _with_id(evaluation, evaluation_id)

    async def call_scores(self, *, pbx: str, linkedid: str, by: Principal) -> list[Evaluation]:
        """A call's evaluations: all for supervisors, only their own for the agent scored."""
        _staff(by)
        found = await self._store.of_call(pbx, linkedid)
        if by.role in MANAGERS:
            return found
        return [e for e in found if e.agent_code == by.agent_code]

    async def calibration(
        self, *, pbx: str, linkedid: str, scorecard_id: int, by: Principal
    ) -> Calibration:
        """How far the scorers of one call on one scorecard are apart, criterion by criterion."""
        _manager(by, "see calibration")
        card = await self._store.scorecard(scorecard_id)
        if card is None:
            raise NotFound(f"no scorecard {scorecard_id}")
        found = [e for e in await self._store.of_call(pbx, linkedid) if e.scorecard_id == card.id]
        if not found:
            raise NotFound(f"call {linkedid} is not scored on scorecard {scorecard_id}")
        return calibrate(card, found)

    async def agent_scores(
        self, *, code: str, by: Principal, since: datetime | None = None
    ) -> AgentScores:
        """An agent's scores; an agent may read only their own."""
        _staff(by)
        if by.role == "agent" and by.agent_code != code:
            raise Forbidden(f"agent {by.agent_code} may read only their own scores")
        async with self._uow() as uow:
            if await uow.agents.get_by_code(code=code) is None:
                raise NotFound(f"no agent {code!r}")
        found = await self._store.of_agent(code, since=since)
        return AgentScores(agent_code=code, evaluations=found, summary=summarize(found))

    async def group_report(
        self, *, group_slug: str, by: Principal, since: datetime | None = None
    ) -> tuple[ScoreSummary, dict[str, ScoreSummary]]:
        """The group's summary and each agent's within it (supervisors and admins)."""
        _manager(by, "see quality reports")
        found = await self._store.of_group(group_slug, since=since)
        agents: dict[str, list[Evaluation]] = {}
        for e in found:
            agents.setdefault(e.agent_code, []).append(e)
        return summarize(found), {code: summarize(es) for code, es in sorted(agents.items())}

    async def _recording_of(self, pbx: str, linkedid: str) -> str | None:
        if self._recordings is None:
            return None
        files = await self._recordings.for_call(pbx, linkedid)
        return files[0].file if files else None


def _manager(by: Principal, what: str) -> None:
    if by.role not in MANAGERS:
        raise Forbidden(f"role {by.role!r} may not {what}")


def _staff(by: Principal) -> None:
    if by.role not in STAFF:
        raise Forbidden(f"role {by.role!r} may not read quality scores")


def _with_id(e: Evaluation, evaluation_id: int) -> Evaluation:
    return replace(e, id=evaluation_id)
