"""A tally: counts and millisecond sums over a set of calls (domain.kpi.book's counting rules)."""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields


@dataclass(frozen=True, slots=True)
class Tally:
    """Counts and millisecond sums over a set of calls; tallies add and subtract exactly."""

    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    short_abandoned: int = 0
    timeout: int = 0
    answered_within_sl: int = 0
    abandoned_within_sl: int = 0  # long abandons only
    wait_answered_ms: int = 0
    handle_ms: int = 0
    dispositioned: int = 0
    settled: int = 0

    def plus(self, other: Tally) -> Tally:
        """Field by field sum (one C pass over the fields, not a lookup of the field list per
        call: every counted call adds its tallies)."""
        return Tally(*map(operator.add, _VALUES(self), _VALUES(other)))

    def minus(self, other: Tally) -> Tally:
        """Field by field difference (to take a call back out)."""
        return Tally(*map(operator.sub, _VALUES(self), _VALUES(other)))


_VALUES = operator.attrgetter(*(f.name for f in fields(Tally)))
EMPTY = Tally()


def fold(
    into: dict[str, Tally],
    parts: Iterable[tuple[str, Tally]],
    op: Callable[[Tally, Tally], Tally],
) -> None:
    """Add (or take out, with `Tally.minus`) each keyed part into the running tallies."""
    for key, part in parts:
        into[key] = op(into.get(key, EMPTY), part)
