"""The wallboard's work-item figures per group (pure): open, overdue, oldest age, done today,
SLA % (done by the due time), callbacks due now and callbacks made today."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from callcenter.domain.work_items import FINAL_STATUSES


@dataclass(frozen=True, slots=True)
class WorkTally:
    """One item as the figures need it (or `count` alike items: the store may sum them up, as
    long as they share status and overdue-ness, and a closed bunch shares in-time-ness);
    `closed_at` is its last change once final."""

    group: str
    kind: str
    status: str
    created_at: datetime
    due_at: datetime | None
    closed_at: datetime | None
    count: int = 1


def work_figures(
    items: Iterable[WorkTally], *, now: datetime, day_start: datetime
) -> dict[str, dict[str, float | int | None]]:
    """Per group: items_open, items_overdue, oldest_age_s, done_today, sla_pct (None when
    nothing was done today), callbacks_due, callbacks_made (dialled and closed today)."""
    out: dict[str, dict[str, float | int | None]] = {}
    in_time: dict[str, int] = {}
    for item in items:
        g = out.setdefault(
            item.group,
            {
                "items_open": 0,
                "items_overdue": 0,
                "oldest_age_s": None,
                "done_today": 0,
                "sla_pct": None,
                "callbacks_due": 0,
                "callbacks_made": 0,
            },
        )
        callback, n = item.kind == "callback", item.count
        if item.status not in FINAL_STATUSES:
            g["items_open"] = int(g["items_open"] or 0) + n
            overdue = item.due_at is not None and item.due_at <= now
            g["items_overdue"] = int(g["items_overdue"] or 0) + overdue * n
            age = (now - item.created_at).total_seconds()
            g["oldest_age_s"] = max(float(g["oldest_age_s"] or 0.0), round(age, 1))
            g["callbacks_due"] = int(g["callbacks_due"] or 0) + (callback and overdue) * n
            continue
        if item.closed_at is None or item.closed_at < day_start:
            continue
        if item.status == "done":
            g["done_today"] = int(g["done_today"] or 0) + n
            kept = item.due_at is None or item.closed_at <= item.due_at
            in_time[item.group] = in_time.get(item.group, 0) + kept * n
        if callback and item.status in ("done", "failed"):
            g["callbacks_made"] = int(g["callbacks_made"] or 0) + n
    for group, g in out.items():
        done = int(g["done_today"] or 0)
        g["sla_pct"] = round(100.0 * in_time.get(group, 0) / done, 1) if done else None
    return out
