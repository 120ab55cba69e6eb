"""A supervisor's evaluation of one call on a scorecard, and its weighted total."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from callcenter.domain.quality.scorecards import QualityError, Scorecard


@dataclass(frozen=True)
class Evaluation:
    """Ratings of one call by one scorer; `total` is 0..100 (weighted, on the card's scale)."""

    scorecard_id: int
    pbx: str
    linkedid: str
    agent_code: str
    group_slug: str
    scorer: str
    ratings: Mapping[str, int]
    total: float
    scored_at: datetime
    comment: str | None = None
    recording: str | None = None  # the recording's file base name the scorer heard, if any
    id: int | None = None


def check_ratings(card: Scorecard, ratings: Mapping[str, int]) -> None:
    """Every criterion rated exactly once within 0..scale; QualityError names the criterion."""
    for key in ratings:
        if card.criterion(key) is None:
            raise QualityError(("ratings", key), f"{key!r} is not a criterion of this scorecard")
    for c in card.criteria:
        if c.key not in ratings:
            raise QualityError(("ratings", c.key), f"{c.key!r} ({c.label}) is not rated")
        value = ratings[c.key]
        if not 0 <= value <= card.scale:
            raise QualityError(
                ("ratings", c.key), f"{c.key!r} is rated 0..{card.scale}, not {value}"
            )


def weighted_total(card: Scorecard, ratings: Mapping[str, int]) -> float:
    """The score in percent: each rating's share of the scale, weighted; one decimal."""
    check_ratings(card, ratings)
    points = sum(c.weight * ratings[c.key] for c in card.criteria)
    return round(100.0 * points / (card.scale * card.total_weight), 1)
