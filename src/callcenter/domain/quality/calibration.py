"""Calibration: several supervisors score the same call; how far apart they are per criterion."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from callcenter.domain.quality.evaluations import Evaluation
from callcenter.domain.quality.scorecards import Scorecard

AGREED_WITHIN = 1  # ratings this close (in points of the scale) count as agreement


@dataclass(frozen=True)
class CriterionSpread:
    """One criterion across scorers: each one's rating, lowest, highest and their difference."""

    key: str
    label: str
    weight: int
    ratings: dict[str, int]  # scorer -> rating
    low: int
    high: int
    spread: int
    mean: float
    agreed: bool


@dataclass(frozen=True)
class Calibration:
    """The spread of every criterion and of the totals for one call on one scorecard."""

    scorecard_id: int
    pbx: str
    linkedid: str
    scorers: tuple[str, ...]
    criteria: tuple[CriterionSpread, ...]
    totals: dict[str, float]  # scorer -> total
    total_spread: float

    @property
    def calibrated(self) -> bool:
        """Whether every criterion is agreed (needs two scorers at least)."""
        return len(self.scorers) >= 2 and all(c.agreed for c in self.criteria)


def calibrate(card: Scorecard, evaluations: Sequence[Evaluation]) -> Calibration:
    """Line up the evaluations of one call on `card` (others are ignored), scorer by scorer."""
    own = sorted(
        (e for e in evaluations if e.scorecard_id == card.id), key=lambda e: (e.scored_at, e.scorer)
    )
    if not own:
        raise ValueError("no evaluation of this call on this scorecard")
    spreads = []
    for c in card.criteria:
        ratings = {e.scorer: e.ratings[c.key] for e in own}
        values = list(ratings.values())
        low, high = min(values), max(values)
        spreads.append(
            CriterionSpread(
                key=c.key,
                label=c.label,
                weight=c.weight,
                ratings=ratings,
                low=low,
                high=high,
                spread=high - low,
                mean=round(sum(values) / len(values), 2),
                agreed=high - low <= AGREED_WITHIN,
            )
        )
    totals = {e.scorer: e.total for e in own}
    return Calibration(
        scorecard_id=card.id if card.id is not None else 0,
        pbx=own[0].pbx,
        linkedid=own[0].linkedid,
        scorers=tuple(totals),
        criteria=tuple(spreads),
        totals=totals,
        total_spread=round(max(totals.values()) - min(totals.values()), 1),
    )
