"""Reports on fakes: a day's calls counted per group, the range and group checked first."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from callcenter.services.reports import (
    ReportOptions,
    ReportRequestError,
    agents_report,
    daily_report,
)
from fakes import FakeDatabase
from fakes.floor import LI_NA, T0, WANG_FANG, abandoned_call, answered_call, floor

DAY = date(2026, 12, 1)
OPTIONS = ReportOptions(timezone="Asia/Shanghai")


def busy_day() -> FakeDatabase:
    db = floor()
    calls = [
        answered_call("1.1", LI_NA, wait_s=8.0),  # within the 20 s service level
        replace(answered_call("1.2", WANG_FANG, wait_s=45.0), disposition_code="order_status",
                settled_first_contact=True),
        abandoned_call("1.3", wait_s=30.0),
        answered_call("1.4", LI_NA, started=T0 + timedelta(days=1)),  # the next day
    ]  # fmt: skip
    db.tables.calls = {(c.pbx, c.linkedid): c for c in calls}
    return db


async def test_daily_report_counts_each_groups_calls_of_each_day() -> None:
    report = await daily_report(uow=busy_day().uow, options=OPTIONS, first=DAY, last=DAY)
    rows = {r["group"]: r for r in report.rows}
    hotline = rows["member-hotline"]
    assert (hotline["offered"], hotline["answered"], hotline["abandoned"]) == (3, 2, 1)
    assert hotline["answered_within_sl"] == 1 and hotline["sl_percent"] == 50.0
    assert hotline["fcr_percent"] == 100.0  # the one call with a disposition was settled
    assert rows["finance"]["offered"] == 0  # a group without calls still shows, with zeros
    csv = report.to_csv().splitlines()
    assert csv[0].startswith("day,group,offered") and len(csv) == 3


async def test_agents_report_shows_who_answered_what() -> None:
    report = await agents_report(
        uow=busy_day().uow, options=OPTIONS, first=DAY, last=DAY + timedelta(days=1)
    )
    answered = {r["agent"]: r["answered"] for r in report.rows}
    assert answered == {"Li Na": 2, "Wang Fang": 1}


async def test_a_bad_range_or_an_unknown_group_is_refused_naming_the_parameter() -> None:
    db = busy_day()
    with pytest.raises(ReportRequestError) as backwards:
        await daily_report(uow=db.uow, options=OPTIONS, first=DAY, last=DAY - timedelta(days=1))
    assert backwards.value.field == "to"
    with pytest.raises(ReportRequestError) as unknown:
        await daily_report(uow=db.uow, options=OPTIONS, first=DAY, last=DAY, group="sales")
    assert unknown.value.field == "group"
