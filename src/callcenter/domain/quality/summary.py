"""An agent's (or a group's) scores over time: average, calls scored and the trend."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from callcenter.domain.quality.evaluations import Evaluation


@dataclass(frozen=True)
class WeekScore:
    """The average of the evaluations scored in one ISO week (starting Monday)."""

    week: date
    average: float
    scored: int


@dataclass(frozen=True)
class ScoreSummary:
    """Average over all evaluations, how many calls, and the weekly averages oldest first."""

    average: float | None
    calls_scored: int
    evaluations: int
    weeks: tuple[WeekScore, ...]

    @property
    def trend(self) -> float | None:
        """Last week's average minus the one before (None with fewer than two weeks)."""
        if len(self.weeks) < 2:
            return None
        return round(self.weeks[-1].average - self.weeks[-2].average, 1)


def summarize(evaluations: Sequence[Evaluation]) -> ScoreSummary:
    """Each call counts once: its evaluations (several scorers) are averaged first."""
    by_call: dict[tuple[str, str], list[Evaluation]] = {}
    for e in evaluations:
        by_call.setdefault((e.pbx, e.linkedid), []).append(e)
    if not by_call:
        return ScoreSummary(average=None, calls_scored=0, evaluations=0, weeks=())
    per_call = []
    for group in by_call.values():
        first = min(e.scored_at for e in group)
        per_call.append((first.date(), sum(e.total for e in group) / len(group)))
    weeks: dict[date, list[float]] = {}
    for day, score in per_call:
        weeks.setdefault(day - timedelta(days=day.weekday()), []).append(score)
    return ScoreSummary(
        average=round(sum(s for _, s in per_call) / len(per_call), 1),
        calls_scored=len(per_call),
        evaluations=len(evaluations),
        weeks=tuple(
            WeekScore(week=w, average=round(sum(v) / len(v), 1), scored=len(v))
            for w, v in sorted(weeks.items())
        ),
    )
