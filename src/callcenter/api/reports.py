"""Reports over stored calls (daily, per interval, per agent) and work items (per group, per
agent); JSON or CSV (`?format=csv`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Response

from callcenter.api.deps import RuntimeDep, requires
from callcenter.api.fields import OneLine
from callcenter.domain.access.auth import Principal
from callcenter.domain.kpi.book import business_day
from callcenter.services import reports, work_reports
from callcenter.services.forecast import forecast_report
from callcenter.services.reports import Report, ReportOptions, ReportRequestError

router = APIRouter(prefix="/api/reports", tags=["reports"])

Viewer = Annotated[Principal, Depends(requires("reports.view"))]
From = Annotated[
    date | None,
    Query(alias="from", description="first business day (YYYY-MM-DD); default: today"),
]
To = Annotated[
    date | None, Query(description="last business day, included (YYYY-MM-DD); default: today")
]
GroupQ = Annotated[OneLine | None, Query(description="one group's slug; all groups when absent")]
Format = Annotated[Literal["json", "csv"], Query(alias="format")]


def _options(runtime: RuntimeDep) -> ReportOptions:
    s = runtime.settings
    return ReportOptions(
        timezone=s.timezone,
        day_start_hour=s.day_start_hour,
        short_abandon_s=s.sl_short_abandon_s,
        wrapup_s=dict(s.queue_wrapup_s),
        staffing=s.staffing_rules(),
    )


def _days(runtime: RuntimeDep, first: date | None, last: date | None) -> tuple[date, date]:
    """`from`/`to` as asked; either one left out is today's business day in the center's zone."""
    from zoneinfo import ZoneInfo

    s = runtime.settings
    today = business_day(datetime.now(UTC), ZoneInfo(s.timezone), s.day_start_hour)
    return first or today, last or today


async def _answer(pending: Awaitable[Report], fmt: str) -> Any:
    try:
        report = await pending
    except ReportRequestError as exc:
        raise HTTPException(
            status_code=422,  # as FastAPI's own validation errors
            detail=[{"loc": ["query", exc.field], "msg": exc.message, "type": "value_error"}],
        ) from exc
    if fmt == "csv":
        return Response(
            content=report.to_csv(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{report.kind}.csv"'},
        )
    return report.to_json()


@router.get("/daily")
async def daily(
    runtime: RuntimeDep,
    _: Viewer,
    first: From = None,
    to: To = None,
    group: GroupQ = None,
    fmt: Format = "json",
) -> Any:
    """Per business day and group: offered, answered, abandoned, SL, SL2, ASA, AHT, FCR."""
    day1, day2 = _days(runtime, first, to)
    return await _answer(
        reports.daily_report(
            uow=runtime.uow, options=_options(runtime), first=day1, last=day2, group=group
        ),
        fmt,
    )


@router.get("/interval")
async def interval(
    runtime: RuntimeDep,
    _: Viewer,
    first: From = None,
    to: To = None,
    minutes: int = 30,
    group: GroupQ = None,
    fmt: Format = "json",
) -> Any:
    """Per 15, 30 or 60 minute interval (local time) and group, where calls started."""
    day1, day2 = _days(runtime, first, to)
    return await _answer(
        reports.interval_report(
            uow=runtime.uow,
            options=_options(runtime),
            first=day1,
            last=day2,
            minutes=minutes,
            group=group,
        ),
        fmt,
    )


@router.get("/agents")
async def agents(
    runtime: RuntimeDep,
    _: Viewer,
    first: From = None,
    to: To = None,
    group: GroupQ = None,
    fmt: Format = "json",
) -> Any:
    """Per agent: inbound calls answered, within SL, average handle time, FCR."""
    day1, day2 = _days(runtime, first, to)
    return await _answer(
        reports.agents_report(
            uow=runtime.uow, options=_options(runtime), first=day1, last=day2, group=group
        ),
        fmt,
    )


@router.get("/forecast")
async def forecast(
    runtime: RuntimeDep,
    _: Viewer,
    day: Annotated[date | None, Query(description="the day to staff (default: today)")] = None,
    minutes: int = 30,
    weeks: int = 4,
    group: GroupQ = None,
    fmt: Format = "json",
) -> Any:
    """Per interval of a day: offered calls and AHT forecast from the same weekday's history
    over the weeks before, and the agents Erlang C needs for each group's service level."""
    options = _options(runtime)
    target = day or business_day(datetime.now(UTC), options.tz, options.day_start_hour)
    return await _answer(
        forecast_report(
            uow=runtime.uow,
            options=options,
            day=target,
            minutes=minutes,
            weeks=weeks,
            group=group,
        ),
        fmt,
    )


@router.get("/work/groups")
async def work_groups(
    runtime: RuntimeDep,
    _: Viewer,
    first: From = None,
    to: To = None,
    group: GroupQ = None,
    fmt: Format = "json",
) -> Any:
    """Work items per group and kind: received, done, done in SLA, open and overdue at the end
    of the range (now, for a range still running), median and p90 handling time."""
    return await _work_report(work_reports.work_groups_report, runtime, first, to, group, fmt)


@router.get("/work/agents")
async def work_agents(
    runtime: RuntimeDep,
    _: Viewer,
    first: From = None,
    to: To = None,
    group: GroupQ = None,
    fmt: Format = "json",
) -> Any:
    """Work items per agent and kind: accepted, done, done in SLA, held open and overdue,
    median and p90 handling time (acceptance to done)."""
    return await _work_report(work_reports.work_agents_report, runtime, first, to, group, fmt)


async def _work_report(
    build: Callable[..., Awaitable[Report]],
    runtime: RuntimeDep,
    first: date | None,
    to: date | None,
    group: str | None,
    fmt: str,
) -> Any:
    """One work-item report over the range (the two differ only in what they count)."""
    day1, day2 = _days(runtime, first, to)
    options, now = _options(runtime), datetime.now(UTC)
    pending = build(uow=runtime.uow, options=options, first=day1, last=day2, now=now, group=group)
    return await _answer(pending, fmt)
