"""A group's scorecard: weighted criteria, each rated on the same scale."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

MAX_CRITERIA = 20
MAX_SCALE = 10
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class QualityError(ValueError):
    """A scorecard or evaluation that cannot be; `loc` names the offending field."""

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message


@dataclass(frozen=True)
class Criterion:
    """One thing a call is judged on (greeting, identification, resolution, ...)."""

    key: str
    label: str
    weight: int


@dataclass(frozen=True)
class Scorecard:
    """Criteria of one group; never changed once calls are scored on it (make a new one)."""

    group_slug: str
    name: str
    scale: int  # every criterion is rated 0..scale
    criteria: tuple[Criterion, ...]
    created_by: str
    created_at: datetime
    id: int | None = None

    @property
    def total_weight(self) -> int:
        return sum(c.weight for c in self.criteria)

    def criterion(self, key: str) -> Criterion | None:
        return next((c for c in self.criteria if c.key == key), None)


def build_scorecard(
    *,
    group_slug: str,
    name: str,
    scale: int,
    criteria: Sequence[Criterion],
    created_by: str,
    created_at: datetime,
) -> Scorecard:
    """A checked scorecard; QualityError names the first bad field."""
    if not name.strip():
        raise QualityError(("name",), "a scorecard needs a name")
    if not 1 <= scale <= MAX_SCALE:
        raise QualityError(("scale",), f"the scale must be 1..{MAX_SCALE}, not {scale}")
    if not criteria:
        raise QualityError(("criteria",), "a scorecard needs at least one criterion")
    if len(criteria) > MAX_CRITERIA:
        raise QualityError(("criteria",), f"at most {MAX_CRITERIA} criteria")
    seen: set[str] = set()
    for i, c in enumerate(criteria):
        if not _KEY.match(c.key):
            raise QualityError(
                ("criteria", i, "key"), f"key {c.key!r}: lower-case letters, digits, _"
            )
        if c.key in seen:
            raise QualityError(("criteria", i, "key"), f"key {c.key!r} appears twice")
        seen.add(c.key)
        if not c.label.strip():
            raise QualityError(("criteria", i, "label"), "every criterion needs a label")
        if not 1 <= c.weight <= 100:
            raise QualityError(("criteria", i, "weight"), "a weight is 1..100")
    return Scorecard(
        group_slug=group_slug,
        name=name.strip(),
        scale=scale,
        criteria=tuple(criteria),
        created_by=created_by,
        created_at=created_at,
    )
