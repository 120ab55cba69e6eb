"""Daily, interval and agent reports over stored calls (same arithmetic as the wallboard)."""

from __future__ import annotations

import csv
import dataclasses
import io
import logging
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from callcenter.domain.calls.records import CallRecord
from callcenter.domain.kpi.book import (
    EMPTY,
    KpiBook,
    KpiRules,
    agent_figures,
    business_day,
    day_bounds,
    group_figures,
    interval_start,
)
from callcenter.domain.kpi.staffing import StaffingRules, agents_needed
from callcenter.domain.routing.groups import Group
from callcenter.ports.uow import UowFactory

log = logging.getLogger(__name__)
K = TypeVar("K", bound=Hashable)

MAX_DAYS = 92
# Days far from now would overflow the time zone arithmetic (year 1, year 9999); no calls lie there.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)
INTERVALS: tuple[int, ...] = (15, 30, 60)
FIGURES: tuple[str, ...] = (
    "offered",
    "answered",
    "abandoned",
    "short_abandoned",
    "timeout",
    "answered_within_sl",
    "sl_percent",
    "sl2_percent",
    "asa_s",
    "aht_s",
    "abandon_rate",
    "fcr_percent",
)


class ReportRequestError(ValueError):
    """A report parameter is not acceptable; `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ReportOptions:
    """How days are cut and calls counted (from settings)."""

    timezone: str = "Asia/Shanghai"
    day_start_hour: int = 0
    short_abandon_s: float = 5.0
    wrapup_s: dict[str, float] | None = None
    staffing: StaffingRules = dataclasses.field(default_factory=StaffingRules)

    @property
    def tz(self) -> ZoneInfo:
        """The business time zone."""
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class Report:
    """A table: column names and rows (dicts keyed by those names)."""

    kind: str
    columns: tuple[str, ...]
    rows: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        """The JSON body of the report."""
        return {"report": self.kind, "columns": list(self.columns), "rows": self.rows}

    def to_csv(self) -> str:
        """CSV text: a header row, then one line per row (empty cells for missing figures)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow(["" if row.get(c) is None else row[c] for c in self.columns])
        return out.getvalue()


def check_range(first: date, last: date) -> None:
    """Both days within the years served, `to` not before `from`, at most MAX_DAYS days."""
    for field, day in (("from", first), ("to", last)):
        if not FIRST_DAY <= day <= LAST_DAY:
            raise ReportRequestError(
                field, f"{field} ({day}) must lie between {FIRST_DAY} and {LAST_DAY}"
            )
    if last < first:
        raise ReportRequestError("to", f"to ({last}) is before from ({first})")
    days = (last - first).days + 1
    if days > MAX_DAYS:
        raise ReportRequestError("to", f"the range is {days} days; at most {MAX_DAYS} allowed")


def check_minutes(minutes: int) -> None:
    """An interval report's interval must be 15, 30 or 60 minutes."""
    if minutes not in INTERVALS:
        raise ReportRequestError("minutes", f"minutes must be one of 15, 30, 60, not {minutes}")


async def _load(
    *, uow: UowFactory, options: ReportOptions, first: date, last: date, group: str | None
) -> tuple[list[Group], list[CallRecord]]:
    check_range(first, last)
    start, _ = day_bounds(first, options.tz, options.day_start_hour)
    _, end = day_bounds(last, options.tz, options.day_start_hour)
    async with uow() as u:
        groups = await u.groups.list_all()
        if group is not None and all(g.slug != group for g in groups):
            raise ReportRequestError("group", f"no group {group!r}")
        records = await u.reports.call_records_between(start=start, end=end)
    shown = [g for g in groups if group is None or g.slug == group]
    return shown, records


def _books(
    records: list[CallRecord],
    rules: KpiRules,
    bucket: Callable[[CallRecord], K],
) -> dict[K, KpiBook]:
    books: dict[K, KpiBook] = {}
    for record in records:
        key = bucket(record)
        book = books.get(key)
        if book is None:
            book = books[key] = KpiBook(rules)
        book.add(record)
    return books


def kpi_rules(options: ReportOptions, groups: list[Group]) -> KpiRules:
    return KpiRules(
        groups=tuple(groups),
        short_abandon_s=options.short_abandon_s,
        wrapup_s=dict(options.wrapup_s or {}),
    )


async def daily_report(
    *, uow: UowFactory, options: ReportOptions, first: date, last: date, group: str | None = None
) -> Report:
    """Per business day and group, every day of the range (days without calls show zeros)."""
    groups, records = await _load(uow=uow, options=options, first=first, last=last, group=group)
    tz, hour = options.tz, options.day_start_hour
    books = _books(
        records, kpi_rules(options, groups), lambda r: business_day(r.started_at, tz, hour)
    )
    rows: list[dict[str, Any]] = []
    day = first
    while day <= last:
        book = books.get(day)
        for g in groups:
            figures = group_figures(book.group(g.slug) if book else EMPTY)
            rows.append({"day": day.isoformat(), "group": g.slug, **figures})
        day += timedelta(days=1)
    return Report("daily", ("day", "group", *FIGURES), rows)


async def interval_report(
    *,
    uow: UowFactory,
    options: ReportOptions,
    first: date,
    last: date,
    minutes: int,
    group: str | None = None,
) -> Report:
    """Per local interval (15, 30 or 60 minutes) and group, only intervals where calls started."""
    check_minutes(minutes)
    groups, records = await _load(uow=uow, options=options, first=first, last=last, group=group)
    tz = options.tz
    books = _books(
        records, kpi_rules(options, groups), lambda r: interval_start(r.started_at, tz, minutes)
    )
    rows: list[dict[str, Any]] = []
    for start in sorted(books):
        book = books[start]
        for g in groups:
            tally = book.group(g.slug)
            if tally.offered:
                figures = group_figures(tally)
                rows.append(
                    {
                        "interval_start": start.isoformat(),
                        "minutes": minutes,
                        "group": g.slug,
                        **figures,
                        "agents_needed": needed_for(
                            g, tally.offered, figures["aht_s"], minutes, options.staffing
                        ),
                    }
                )
    columns = ("interval_start", "minutes", "group", *FIGURES, "agents_needed")
    return Report("interval", columns, rows)


def needed_for(
    group: Group, offered: float, aht_s: float | None, minutes: int, staffing: StaffingRules
) -> int | None:
    """Erlang C agents for this load in one interval; None without a measured handle time."""
    if offered <= 0:
        return 0
    if aht_s is None:
        return None
    return agents_needed(
        calls=offered,
        aht_s=aht_s,
        interval_s=minutes * 60.0,
        sl_percent=group.sl_target_percent,
        target_s=group.sl_target_seconds,
        rules=staffing,
    )


async def agents_report(
    *, uow: UowFactory, options: ReportOptions, first: date, last: date, group: str | None = None
) -> Report:
    """Per agent over the range: inbound calls answered (in `group`, if given), AHT and FCR."""
    groups, records = await _load(uow=uow, options=options, first=first, last=last, group=group)
    queues = {g.queue for g in groups}
    picked = [r for r in records if r.queues and r.queues[-1] in queues]
    book = KpiBook(kpi_rules(options, groups))
    book.add_all(picked)
    rows: list[dict[str, Any]] = []
    for agent in book.agent_keys():
        tally = book.agent(agent)
        rows.append(
            {
                "agent": agent,
                **agent_figures(tally),
                "talk_and_wrapup_s": round(tally.handle_ms / 1000, 1),
                "answered_within_sl": tally.answered_within_sl,
            }
        )
    columns = (
        "agent",
        "answered",
        "answered_within_sl",
        "aht_s",
        "talk_and_wrapup_s",
        "fcr_percent",
    )
    return Report("agents", columns, rows)
