"""Staffing forecast per interval of a day, from the same weekday's history (Erlang C)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from callcenter.domain.calls.records import CallRecord
from callcenter.domain.kpi.book import (
    KpiBook,
    business_day,
    day_bounds,
    group_figures,
    interval_start,
)
from callcenter.domain.routing.groups import Group
from callcenter.ports.uow import UowFactory
from callcenter.services.reports import (
    FIRST_DAY,
    LAST_DAY,
    Report,
    ReportOptions,
    ReportRequestError,
    check_minutes,
    check_range,
    kpi_rules,
    needed_for,
)

MAX_WEEKS = 13

COLUMNS = (
    "interval_start",
    "minutes",
    "group",
    "weeks",
    "forecast_offered",
    "forecast_aht_s",
    "agents_needed",
)


async def forecast_report(
    *,
    uow: UowFactory,
    options: ReportOptions,
    day: date,
    minutes: int,
    weeks: int = 4,
    group: str | None = None,
) -> Report:
    """Per interval of `day` and group: the mean offered calls of the same interval on the same
    weekday over the `weeks` weeks before, their handle time, and the agents Erlang C needs."""
    check_minutes(minutes)
    if not 1 <= weeks <= MAX_WEEKS:
        raise ReportRequestError("weeks", f"weeks must be between 1 and {MAX_WEEKS}")
    if not FIRST_DAY <= day <= LAST_DAY:  # checked before any date arithmetic on it
        raise ReportRequestError("day", f"day must be between {FIRST_DAY} and {LAST_DAY}")
    first = day - timedelta(weeks=weeks)
    check_range(first, day)
    tz = options.tz
    start, _ = day_bounds(first, tz, options.day_start_hour)
    end, _ = day_bounds(day, tz, options.day_start_hour)
    async with uow() as u:
        groups = await u.groups.list_all()
        if group is not None and all(g.slug != group for g in groups):
            raise ReportRequestError("group", f"no group {group!r}")
        records = await u.reports.call_records_between(start=start, end=end)
    shown = [g for g in groups if group is None or g.slug == group]
    books = _same_weekday_books(records, options, groups, day, minutes)
    rows: list[dict[str, Any]] = []
    for slot in sorted(books):
        tally_book = books[slot]
        at = datetime.combine(day, slot, tz)
        for g in shown:
            rows.extend(_row(g, tally_book, at, minutes, weeks, options))
    return Report("forecast", COLUMNS, rows)


def _same_weekday_books(
    records: list[CallRecord], options: ReportOptions, groups: list[Group], day: date, minutes: int
) -> dict[time, KpiBook]:
    rules = kpi_rules(options, groups)
    books: dict[time, KpiBook] = {}
    for record in records:
        if business_day(record.started_at, options.tz, options.day_start_hour).weekday() != (
            day.weekday()
        ):
            continue
        slot = interval_start(record.started_at, options.tz, minutes).time()
        book = books.get(slot)
        if book is None:
            book = books[slot] = KpiBook(rules)
        book.add(record)
    return books


def _row(
    g: Group, book: KpiBook, at: datetime, minutes: int, weeks: int, options: ReportOptions
) -> list[dict[str, Any]]:
    tally = book.group(g.slug)
    if not tally.offered:
        return []
    offered = tally.offered / weeks  # weeks without a call there count as none
    aht = group_figures(tally)["aht_s"]
    return [
        {
            "interval_start": at.isoformat(),
            "minutes": minutes,
            "group": g.slug,
            "weeks": weeks,
            "forecast_offered": round(offered, 2),
            "forecast_aht_s": aht,
            "agents_needed": needed_for(g, offered, aht, minutes, options.staffing),
        }
    ]
