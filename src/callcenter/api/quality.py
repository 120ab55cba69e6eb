"""Quality scoring: scorecards, a supervisor's scores of a call, calibration, agents' scores."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, status
from pydantic import Field, StringConstraints

from callcenter.api.agent_control import Staff
from callcenter.api.deps import RuntimeDep
from callcenter.api.errors import http_errors
from callcenter.api.fields import ONE_LINE, DbId, IdPath, Moment, Prose
from callcenter.api.recordings import PathPart
from callcenter.api.schemas import Strict
from callcenter.api.schemas_staff import AgentCodePath, GroupSlug
from callcenter.domain.quality.calibration import Calibration
from callcenter.domain.quality.evaluations import Evaluation
from callcenter.domain.quality.scorecards import MAX_CRITERIA, MAX_SCALE, Criterion, Scorecard
from callcenter.domain.quality.summary import ScoreSummary
from callcenter.services.quality import QualityService

router = APIRouter(tags=["quality"])
Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
Label = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80), ONE_LINE
]


def get_quality(runtime: RuntimeDep) -> QualityService:
    """The quality service of this process (built by the bootstrap)."""
    if runtime.quality is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "quality scoring is not running")
    return runtime.quality


QualityDep = Annotated[QualityService, Depends(get_quality)]


class CriterionIn(Strict):
    """One criterion: a key (greeting, identification, ...), what it means, its weight."""

    key: Key
    label: Label
    weight: int = Field(ge=1, le=100)


class ScorecardIn(Strict):
    """A group's scorecard; every criterion is rated 0..scale."""

    group: GroupSlug
    name: Label
    scale: int = Field(default=5, ge=1, le=MAX_SCALE)
    criteria: list[CriterionIn] = Field(min_length=1, max_length=MAX_CRITERIA)


class ScoreIn(Strict):
    """A supervisor's ratings of a call on one scorecard (every criterion once)."""

    scorecard_id: DbId
    ratings: dict[Key, Annotated[int, Field(ge=0, le=MAX_SCALE)]] = Field(min_length=1)
    comment: Annotated[Prose, StringConstraints(max_length=2000)] | None = None


@router.post("/api/quality/scorecards", status_code=status.HTTP_201_CREATED)
async def create_scorecard(body: ScorecardIn, quality: QualityDep, by: Staff) -> dict[str, Any]:
    """A new scorecard for a group (supervisors and admins; 409 for a name the group has)."""
    with http_errors():
        card = await quality.create_scorecard(
            group_slug=body.group,
            name=body.name,
            scale=body.scale,
            criteria=[Criterion(c.key, c.label, c.weight) for c in body.criteria],
            by=by,
        )
    return scorecard_out(card)


@router.get("/api/quality/scorecards")
async def scorecards(
    quality: QualityDep,
    by: Staff,
    group: Annotated[GroupSlug | None, Query()] = None,
) -> list[dict[str, Any]]:
    """The scorecards, of one group or all."""
    with http_errors("query"):
        return [scorecard_out(c) for c in await quality.scorecards(group_slug=group, by=by)]


@router.get("/api/quality/scorecards/{card_id}")
async def scorecard(card_id: IdPath, quality: QualityDep, by: Staff) -> dict[str, Any]:
    """One scorecard."""
    with http_errors("path"):
        return scorecard_out(await quality.scorecard(card_id=card_id, by=by))


@router.post("/api/calls/{pbx}/{linkedid}/scores", status_code=status.HTTP_201_CREATED)
async def score_call(
    pbx: PathPart, linkedid: PathPart, body: ScoreIn, quality: QualityDep, by: Staff
) -> dict[str, Any]:
    """Score a stored call (supervisors and admins; one score per scorer and scorecard)."""
    with http_errors():
        evaluation = await quality.score_call(
            pbx=pbx,
            linkedid=linkedid,
            scorecard_id=body.scorecard_id,
            ratings=body.ratings,
            comment=body.comment,
            by=by,
        )
    return evaluation_out(evaluation)


@router.get("/api/calls/{pbx}/{linkedid}/scores")
async def call_scores(
    pbx: PathPart, linkedid: PathPart, quality: QualityDep, by: Staff
) -> list[dict[str, Any]]:
    """The call's scores: every scorer's for supervisors, the agent's own for an agent."""
    with http_errors("path"):
        found = await quality.call_scores(pbx=pbx, linkedid=linkedid, by=by)
    return [evaluation_out(e) for e in found]


@router.get("/api/calls/{pbx}/{linkedid}/calibration")
async def calibration(
    pbx: PathPart,
    linkedid: PathPart,
    scorecard_id: Annotated[int, Query(ge=1, le=2**63 - 1)],
    quality: QualityDep,
    by: Staff,
) -> dict[str, Any]:
    """Several supervisors' scores of one call side by side, with the spread per criterion."""
    with http_errors("query"):
        found = await quality.calibration(
            pbx=pbx, linkedid=linkedid, scorecard_id=scorecard_id, by=by
        )
    return calibration_out(found)


@router.get("/api/agents/{code}/scores")
async def agent_scores(
    code: AgentCodePath,
    quality: QualityDep,
    by: Staff,
    since: Annotated[Moment | None, Query()] = None,
) -> dict[str, Any]:
    """An agent's scores and their average and trend (an agent sees only their own)."""
    with http_errors("query"):
        found = await quality.agent_scores(code=code, by=by, since=since)
    return {
        "agent": found.agent_code,
        "summary": summary_out(found.summary),
        "scores": [evaluation_out(e) for e in found.evaluations],
    }


@router.get("/api/quality/report")
async def group_report(
    group: Annotated[GroupSlug, Query()],
    quality: QualityDep,
    by: Staff,
    since: Annotated[Moment | None, Query()] = None,
) -> dict[str, Any]:
    """A group's quality: its summary and each agent's (supervisors and admins)."""
    with http_errors("query"):
        overall, agents = await quality.group_report(group_slug=group, by=by, since=since)
    return {
        "group": group,
        "summary": summary_out(overall),
        "agents": {code: summary_out(s) for code, s in agents.items()},
    }


def scorecard_out(card: Scorecard) -> dict[str, Any]:
    return {
        "id": card.id,
        "group": card.group_slug,
        "name": card.name,
        "scale": card.scale,
        "criteria": [{"key": c.key, "label": c.label, "weight": c.weight} for c in card.criteria],
        "created_by": card.created_by,
        "created_at": card.created_at.isoformat(),
    }


def evaluation_out(e: Evaluation) -> dict[str, Any]:
    return {
        "id": e.id,
        "scorecard_id": e.scorecard_id,
        "pbx": e.pbx,
        "linkedid": e.linkedid,
        "agent": e.agent_code,
        "group": e.group_slug,
        "scorer": e.scorer,
        "ratings": dict(e.ratings),
        "total": e.total,
        "comment": e.comment,
        "recording": e.recording,
        "scored_at": e.scored_at.isoformat(),
    }


def calibration_out(c: Calibration) -> dict[str, Any]:
    return {
        "scorecard_id": c.scorecard_id,
        "pbx": c.pbx,
        "linkedid": c.linkedid,
        "scorers": list(c.scorers),
        "totals": c.totals,
        "total_spread": c.total_spread,
        "calibrated": c.calibrated,
        "criteria": [
            {
                "key": s.key,
                "label": s.label,
                "weight": s.weight,
                "ratings": s.ratings,
                "low": s.low,
                "high": s.high,
                "spread": s.spread,
                "mean": s.mean,
                "agreed": s.agreed,
            }
            for s in c.criteria
        ],
    }


def summary_out(s: ScoreSummary) -> dict[str, Any]:
    return {
        "average": s.average,
        "calls_scored": s.calls_scored,
        "evaluations": s.evaluations,
        "trend": s.trend,
        "weeks": [
            {"week": w.week.isoformat(), "average": w.average, "scored": w.scored} for w in s.weeks
        ],
    }
