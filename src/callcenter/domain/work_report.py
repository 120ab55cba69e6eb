"""Work-item reports over a range of time (pure): per group or per agent, and per kind.

Over [start, end), measured at `cutoff` (the end of the range, or now while it runs):

- received: items that came in during the range; accepted: items an agent took in the range
  (their last acceptance);
- done: items finished in the range, done_in_sla those finished by their due time (an item
  without one is always in time), sla_percent = done_in_sla / done;
- open: items in hand or waiting at the cutoff (came in before it, not closed before it), and
  overdue: those of them due by then;
- median / p90 handling: from the last acceptance to done, of the items done in the range.

An item counts in the group it is in now (a transferred item where it went), and for the agent
who holds it or finished it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from callcenter.domain.work_items import FINAL_STATUSES, WORK_KINDS

ALL = "all"  # the row of every kind together
GROUP_FIGURES: tuple[str, ...] = (
    "received",
    "done",
    "done_in_sla",
    "sla_percent",
    "open",
    "overdue",
    "median_handling_s",
    "p90_handling_s",
)
AGENT_FIGURES: tuple[str, ...] = ("accepted", *GROUP_FIGURES[1:])


@dataclass(frozen=True, slots=True)
class WorkRecord:
    """One item as the reports need it; `closed_at` is its last change once final."""

    group: str
    kind: str
    status: str
    agent: str | None  # who holds it, or who finished it
    created_at: datetime
    due_at: datetime | None
    closed_at: datetime | None
    accepted_at: datetime | None  # its last acceptance by an agent


@dataclass
class WorkCounts:
    """The counts of one row, and the handling times behind its median and p90."""

    received: int = 0
    accepted: int = 0
    done: int = 0
    done_in_sla: int = 0
    open: int = 0
    overdue: int = 0
    handling_s: list[float] = field(default_factory=list)

    def add(self, r: WorkRecord, start: datetime, end: datetime, cutoff: datetime) -> None:
        """Count one item over [start, end), open and overdue as at `cutoff`."""
        self.received += start <= r.created_at < end
        self.accepted += r.accepted_at is not None and start <= r.accepted_at < end
        closed = r.closed_at if r.status in FINAL_STATUSES else None
        if r.status == "done" and closed is not None and start <= closed < end:
            self.done += 1
            self.done_in_sla += r.due_at is None or closed <= r.due_at
            if r.accepted_at is not None and r.accepted_at <= closed:
                self.handling_s.append((closed - r.accepted_at).total_seconds())
        if r.created_at < cutoff and (closed is None or closed >= cutoff):
            self.open += 1
            self.overdue += r.due_at is not None and r.due_at <= cutoff

    def figures(self) -> dict[str, Any]:
        """Every figure of the row (None where nothing was done to measure)."""
        median = percentile(self.handling_s, 50)
        p90 = percentile(self.handling_s, 90)
        return {
            "received": self.received,
            "accepted": self.accepted,
            "done": self.done,
            "done_in_sla": self.done_in_sla,
            "sla_percent": round(100 * self.done_in_sla / self.done, 1) if self.done else None,
            "open": self.open,
            "overdue": self.overdue,
            "median_handling_s": None if median is None else round(median, 1),
            "p90_handling_s": None if p90 is None else round(p90, 1),
        }

    @property
    def active(self) -> bool:
        """Anything to show at all."""
        return bool(self.received or self.accepted or self.done or self.open)


def percentile(values: Sequence[float], p: float) -> float | None:
    """The p-th percentile, linear between the closest ranks (p=50 is the median); None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def tally(
    records: Iterable[WorkRecord],
    key: Callable[[WorkRecord], str | None],
    *,
    start: datetime,
    end: datetime,
    now: datetime,
) -> dict[tuple[str, str], WorkCounts]:
    """Counts per (key, kind) and per (key, ALL); records whose key is None are left out."""
    cutoff = min(end, now)
    out: dict[tuple[str, str], WorkCounts] = {}
    for record in records:
        who = key(record)
        if who is None:
            continue
        for kind in (ALL, record.kind):
            counts = out.get((who, kind))
            if counts is None:
                counts = out[(who, kind)] = WorkCounts()
            counts.add(record, start, end, cutoff)
    return out


def report_rows(
    counts: dict[tuple[str, str], WorkCounts],
    keys: Iterable[str],
    *,
    column: str,
    figures: tuple[str, ...],
    every_key: bool,
) -> list[dict[str, Any]]:
    """Rows in the order of `keys`: each key's ALL row (also with nothing to show if
    `every_key`), then one row per kind with anything to show, in the order of the kinds."""
    rows: list[dict[str, Any]] = []
    for key in keys:
        total = counts.get((key, ALL))
        if not every_key and (total is None or not total.active):
            continue
        for kind in (ALL, *WORK_KINDS):
            found = counts.get((key, kind))
            if kind == ALL:
                found = found or WorkCounts()
            elif found is None or not found.active:
                continue
            values = found.figures()
            rows.append({column: key, "kind": kind, **{f: values[f] for f in figures}})
    return rows
