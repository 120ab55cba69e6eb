"""Work-item reports per group and per agent, by kind, over business days (as the call reports:
same range rules, same tables, JSON or CSV)."""

from __future__ import annotations

from datetime import date, datetime

from callcenter.domain.kpi.book import day_bounds
from callcenter.domain.work_report import (
    AGENT_FIGURES,
    GROUP_FIGURES,
    WorkRecord,
    report_rows,
    tally,
)
from callcenter.ports.uow import UowFactory
from callcenter.services.reports import Report, ReportOptions, ReportRequestError, check_range


async def _load(
    *,
    uow: UowFactory,
    options: ReportOptions,
    first: date,
    last: date,
    group: str | None,
) -> tuple[list[str], list[WorkRecord], datetime, datetime]:
    check_range(first, last)
    start, _ = day_bounds(first, options.tz, options.day_start_hour)
    _, end = day_bounds(last, options.tz, options.day_start_hour)
    async with uow() as u:
        groups = [g.slug for g in await u.groups.list_all()]
        if group is not None and group not in groups:
            raise ReportRequestError("group", f"no group {group!r}")
        records = await u.work_reports.work_records(start=start, end=end)
    shown = [g for g in groups if group is None or g == group]
    return shown, [r for r in records if group is None or r.group == group], start, end


async def work_groups_report(
    *,
    uow: UowFactory,
    options: ReportOptions,
    first: date,
    last: date,
    now: datetime,
    group: str | None = None,
) -> Report:
    """Per group (every group, one row of all kinds) and per kind seen: received, done, in SLA,
    open and overdue at the end of the range (or now), median and p90 handling time."""
    groups, records, start, end = await _load(
        uow=uow, options=options, first=first, last=last, group=group
    )
    counts = tally(records, lambda r: r.group, start=start, end=end, now=now)
    rows = report_rows(counts, groups, column="group", figures=GROUP_FIGURES, every_key=True)
    return Report("work_groups", ("group", "kind", *GROUP_FIGURES), rows)


async def work_agents_report(
    *,
    uow: UowFactory,
    options: ReportOptions,
    first: date,
    last: date,
    now: datetime,
    group: str | None = None,
) -> Report:
    """Per agent with work in the range (of `group`, if given), all kinds then each kind:
    accepted, done, in SLA, held open and overdue, median and p90 handling time."""
    _, records, start, end = await _load(
        uow=uow, options=options, first=first, last=last, group=group
    )
    counts = tally(records, lambda r: r.agent, start=start, end=end, now=now)
    agents = sorted({agent for agent, _ in counts})
    rows = report_rows(counts, agents, column="agent", figures=AGENT_FIGURES, every_key=False)
    return Report("work_agents", ("agent", "kind", *AGENT_FIGURES), rows)
