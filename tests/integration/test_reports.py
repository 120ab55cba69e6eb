"""Reports through the API on SQLite and PostgreSQL: daily, interval, agents; CSV; bad input."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from callcenter.domain.calls.records import CallRecord
from support import ApiHarness

SH = ZoneInfo("Asia/Shanghai")


def local(day: int, hh: int, mm: int, ss: int = 0) -> datetime:
    return datetime(2026, 11, day, hh, mm, ss, tzinfo=SH).astimezone(UTC)


def rec(linkedid: str, started: datetime, queues: tuple[str, ...], outcome: str, wait: float,
        talk: float = 0.0, agent: str | None = None, **kw: Any) -> CallRecord:  # fmt: skip
    return CallRecord(
        pbx="pbx1",
        linkedid=linkedid,
        direction="inbound",
        caller="+8613800138000",
        caller_name=None,
        queues=queues,
        agent=agent,
        outcome=outcome,
        wait_s=wait,
        talk_s=talk,
        ring_attempts=1,
        transferred=False,
        started_at=started,
        ended_at=started + timedelta(minutes=5),
        **kw,
    )


HOT, ONLINE, FIN = "member-hotline", "online-service", "finance"
CALLS = [
    rec("c0", local(21, 23, 59, 59), (HOT,), "answered", 5, 10, "1001"),  # the day before
    rec("c1", local(22, 9, 5), (HOT,), "answered", 10, 100, "1001",
        disposition_code="order_status", settled_first_contact=True),
    rec("c2", local(22, 9, 20), (HOT,), "answered", 30, 50, "1002"),
    rec("c3", local(22, 9, 40), (HOT,), "abandoned", 3),  # a short abandon
    rec("c4", local(22, 10, 10), (HOT, ONLINE), "abandoned", 40),  # overflowed, then lost
    rec("c5", local(22, 23, 59, 50), (FIN,), "answered", 20, 60, "1009"),  # answered 00:00:10
    rec("c6", local(23, 0, 0, 10), (ONLINE,), "answered", 8, 40, "1005"),
    rec("c7", local(23, 8, 0), (FIN,), "timeout", 60),
]  # fmt: skip


@pytest.fixture
async def reports_api(api: ApiHarness) -> ApiHarness:
    async with api.runtime.uow() as uow:
        for record in CALLS:
            await uow.calls.add(record)
        await uow.commit()
    return api


async def get(api: ApiHarness, path: str, role: str = "supervisor", **params: Any) -> Any:
    return await api.client.get(path, params=params, headers=await api.headers(role))


async def test_daily_report(reports_api: ApiHarness) -> None:
    response = await get(
        reports_api, "/api/reports/daily", **{"from": "2026-11-22", "to": "2026-11-23"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["report"] == "daily"
    rows = {(r["day"], r["group"]): r for r in body["rows"]}
    assert len(rows) == 14  # every day of the range for each of the seven groups
    hotline = rows[("2026-11-22", HOT)]
    assert {k: hotline[k] for k in ("offered", "answered", "abandoned", "short_abandoned")} == {
        "offered": 4,  # the overflowed call counts here too
        "answered": 2,
        "abandoned": 1,
        "short_abandoned": 1,
    }
    assert (hotline["sl_percent"], hotline["asa_s"], hotline["aht_s"]) == (50.0, 20.0, 85.0)
    assert (hotline["abandon_rate"], hotline["fcr_percent"]) == (0.0, 100.0)
    assert rows[("2026-11-22", ONLINE)]["abandoned"] == 1
    assert rows[("2026-11-22", ONLINE)]["abandon_rate"] == 100.0
    # offered at 23:59:50, answered after midnight: the day it was offered
    assert rows[("2026-11-22", FIN)]["answered"] == 1
    assert rows[("2026-11-23", FIN)]["answered"] == 0
    assert rows[("2026-11-23", FIN)]["timeout"] == 1
    assert rows[("2026-11-23", ONLINE)]["answered"] == 1
    assert rows[("2026-11-22", "letters")]["offered"] == 0
    assert rows[("2026-11-22", "letters")]["sl_percent"] is None


async def test_daily_report_of_one_group_as_csv(reports_api: ApiHarness) -> None:
    response = await get(reports_api, "/api/reports/daily", format="csv", group=HOT,
                         **{"from": "2026-11-21", "to": "2026-11-23"})  # fmt: skip
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(response.text)))
    assert table[0][:4] == ["day", "group", "offered", "answered"]
    assert "sl_percent" in table[0] and "fcr_percent" in table[0]
    assert [row[:4] for row in table[1:]] == [
        ["2026-11-21", HOT, "1", "1"],
        ["2026-11-22", HOT, "4", "2"],
        ["2026-11-23", HOT, "0", "0"],
    ]
    empty_day = dict(zip(table[0], table[3], strict=True))
    assert empty_day["sl_percent"] == ""  # no calls: no rate, an empty cell


async def test_interval_report(reports_api: ApiHarness) -> None:
    response = await get(reports_api, "/api/reports/interval", minutes=30,
                         **{"from": "2026-11-22", "to": "2026-11-22"})  # fmt: skip
    assert response.status_code == 200
    rows = [(r["interval_start"], r["group"], r["offered"]) for r in response.json()["rows"]]
    assert rows == [
        ("2026-11-22T09:00:00+08:00", HOT, 2),
        ("2026-11-22T09:30:00+08:00", HOT, 1),
        ("2026-11-22T10:00:00+08:00", HOT, 1),
        ("2026-11-22T10:00:00+08:00", ONLINE, 1),
        ("2026-11-22T23:30:00+08:00", FIN, 1),
    ]
    hourly = await get(reports_api, "/api/reports/interval", minutes=60, format="csv",
                       **{"from": "2026-11-22", "to": "2026-11-22"})  # fmt: skip
    table = list(csv.reader(io.StringIO(hourly.text)))
    assert table[0][:3] == ["interval_start", "minutes", "group"]
    assert [(r[0][11:16], r[2], r[3]) for r in table[1:]] == [
        ("09:00", HOT, "3"),
        ("10:00", HOT, "1"),
        ("10:00", ONLINE, "1"),
        ("23:00", FIN, "1"),
    ]


async def test_agents_report(reports_api: ApiHarness) -> None:
    both_days = {"from": "2026-11-22", "to": "2026-11-23"}
    response = await get(reports_api, "/api/reports/agents", **both_days)
    assert response.status_code == 200
    rows = {r["agent"]: r for r in response.json()["rows"]}
    assert sorted(rows) == ["1001", "1002", "1005", "1009"]
    assert (rows["1001"]["answered"], rows["1001"]["aht_s"], rows["1001"]["fcr_percent"]) == (
        1,
        110.0,  # 100 s talk + the hotline's 10 s wrap-up
        100.0,
    )
    assert rows["1005"]["aht_s"] == 45.0  # online-service wraps up in 5 s
    hotline = await get(reports_api, "/api/reports/agents", group=HOT, **both_days)
    assert [r["agent"] for r in hotline.json()["rows"]] == ["1001", "1002"]


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("daily", {"from": "2026-13-01", "to": "2026-11-23"}, "from"),
        ("daily", {"from": "2026-11-22", "to": "yesterday"}, "to"),
        ("daily", {"to": "2026-11-23"}, "to"),  # `from` defaults to today, after `to`
        ("daily", {"from": "2026-11-23", "to": "2026-11-22"}, "to"),
        ("agents", {"from": "2026-01-01", "to": "2026-04-03"}, "to"),  # 93 days
        ("daily", {"from": "2026-11-22", "to": "2026-11-22", "group": "nope"}, "group"),
        ("daily", {"from": "2026-11-22", "to": "2026-11-22", "format": "xml"}, "format"),
        ("interval", {"from": "2026-11-22", "to": "2026-11-22", "minutes": 20}, "minutes"),
        ("interval", {"from": "2026-11-22", "to": "2026-11-22", "minutes": "half"}, "minutes"),
    ],
)
async def test_bad_parameters_are_422_naming_the_field(
    reports_api: ApiHarness, path: str, params: dict[str, Any], field: str
) -> None:
    response = await get(reports_api, f"/api/reports/{path}", **params)
    assert response.status_code == 422
    locs = [err["loc"] for err in response.json()["detail"]]
    assert ["query", field] in locs


async def test_92_days_are_allowed_and_reports_need_a_manager(reports_api: ApiHarness) -> None:
    ok = await get(reports_api, "/api/reports/daily", group=HOT,
                   **{"from": "2026-09-01", "to": "2026-12-01"})  # fmt: skip
    assert ok.status_code == 200
    assert len(ok.json()["rows"]) == 92
    assert sum(r["offered"] for r in ok.json()["rows"]) == 5
    admin = await get(
        reports_api, "/api/reports/agents", "admin", **{"from": "2026-11-22", "to": "2026-11-22"}
    )
    assert admin.status_code == 200
    none = await reports_api.client.get(
        "/api/reports/daily", params={"from": "2026-11-22", "to": "2026-11-22"}
    )
    assert none.status_code == 401
    async with reports_api.runtime.uow() as uow:
        await uow.agents.add(code="1001", name="Wang Fang", interface="Local/1001@agents/n")
        await uow.commit()
    agent = await reports_api.client.get(
        "/api/reports/daily",
        params={"from": "2026-11-22", "to": "2026-11-22"},
        headers=await reports_api.headers("agent", "1001"),
    )
    assert agent.status_code == 403
