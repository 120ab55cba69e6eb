"""Agents needed per interval in the reports, and the forecast from the same weekday's history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from callcenter.domain.calls.records import CallRecord
from callcenter.domain.kpi.staffing import agents_needed
from support import ApiHarness

SH = ZoneInfo("Asia/Shanghai")
HOT = "member-hotline"


def _call(n: int, started: datetime, talk: float) -> CallRecord:
    return CallRecord(
        pbx="pbx1",
        linkedid=f"s{n}",
        direction="inbound",
        caller=None,
        caller_name=None,
        queues=(HOT,),
        agent="Wang Fang",
        outcome="answered",
        wait_s=4.0,
        talk_s=talk,
        ring_attempts=1,
        transferred=False,
        started_at=started.astimezone(UTC),
        ended_at=(started + timedelta(seconds=talk + 4)).astimezone(UTC),
        wrapup_s=0.0,
    )


async def _store(api: ApiHarness, records: list[CallRecord]) -> None:
    async with api.runtime.uow() as uow:
        for record in records:
            await uow.calls.add(record)
        await uow.commit()


async def _get(api: ApiHarness, path: str, **params: Any) -> Any:
    answer = await api.client.get(path, params=params, headers=await api.headers("supervisor"))
    assert answer.status_code == 200, answer.text
    return answer.json()


def _expected(calls: float, aht: float, api: ApiHarness) -> int:
    return agents_needed(
        calls=calls,
        aht_s=aht,
        interval_s=1800,
        sl_percent=80,  # the seeded member-hotline target, 80 % within 20 s
        target_s=20,
        rules=api.runtime.settings.staffing_rules(),
    )


async def test_interval_report_and_same_weekday_forecast(api: ApiHarness) -> None:
    groups = await _get(api, "/api/groups")
    hotline = next(g for g in groups if g["slug"] == HOT)
    assert (hotline["sl_target_percent"], hotline["sl_target_seconds"]) == (80, 20)
    # Three Mondays: 100, 60 and 20 calls between 09:00 and 09:30 with AHT 180 s.
    mondays = [datetime(2026, 11, d, 9, 0, tzinfo=SH) for d in (2, 9, 16)]
    records: list[CallRecord] = []
    for week, (monday, count) in enumerate(zip(mondays, (100, 60, 20), strict=True)):
        records += [
            _call(week * 1000 + n, monday + timedelta(seconds=17 * n), 180) for n in range(count)
        ]
    # a Tuesday's calls do not count for a Monday forecast
    tuesday = datetime(2026, 11, 17, 9, 0, tzinfo=SH)
    records += [_call(9000 + n, tuesday + timedelta(seconds=n), 180) for n in range(300)]
    await _store(api, records)

    report = await _get(
        api,
        "/api/reports/interval",
        minutes=30,
        group=HOT,
        **{"from": "2026-11-02", "to": "2026-11-02"},
    )
    (row,) = report["rows"]
    assert "agents_needed" in report["columns"]
    assert (row["offered"], row["aht_s"]) == (100, 180.0)
    # the published example: 10 Erlangs at 80/20 need 14 agents on the phones; with the default
    # 30 % shrinkage, 20 to schedule
    assert row["agents_needed"] == _expected(100, 180, api) == 20

    forecast = await _get(
        api, "/api/reports/forecast", day="2026-11-23", minutes=30, weeks=3, group=HOT
    )
    (slot,) = forecast["rows"]
    assert slot["interval_start"] == "2026-11-23T09:00:00+08:00"
    assert slot["forecast_offered"] == 60.0  # (100 + 60 + 20) / 3
    assert slot["forecast_aht_s"] == 180.0
    assert slot["agents_needed"] == _expected(60, 180, api)

    bad = await api.client.get(
        "/api/reports/forecast",
        params={"day": "2026-11-23", "weeks": 0},
        headers=await api.headers("supervisor"),
    )
    assert bad.status_code == 422
    # a day no report can cover (weeks before it would not even be a date): 422 naming `day`
    for far in ("0001-01-01", "9999-12-31"):
        bad = await api.client.get(
            "/api/reports/forecast", params={"day": far}, headers=await api.headers("supervisor")
        )
        assert bad.status_code == 422, bad.text
        assert bad.json()["detail"][0]["loc"] == ["query", "day"]
