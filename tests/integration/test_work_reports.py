"""Work-item reports per group and per agent over real HTTP (SQLite and PostgreSQL): what counts
in the range, SLA, open and overdue at its end, handling percentiles, CSV, roles, bad input."""

from __future__ import annotations

import csv
import io
import statistics
from collections.abc import AsyncIterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from test_work_offers import seed_letters

from callcenter.domain.work_items import Sender
from callcenter.services.work_requests import Actor, Intake, Transition
from support.livestack import LiveStack, live_stack

DAY1, DAY2 = date(2026, 11, 23), date(2026, 11, 24)  # a Monday and a Tuesday
RANGE = {"from": DAY1.isoformat(), "to": DAY2.isoformat()}
BOSS = Actor(label="supervisor", manager=True)


class Floor:
    """Items filed and moved at chosen times, through the work-item service."""

    def __init__(self, stack: LiveStack) -> None:
        self.stack = stack
        self.tz = ZoneInfo(stack.runtime.settings.timezone)

    def at(self, day: date, hh: float) -> datetime:
        return datetime.combine(day, time(0), self.tz) + timedelta(hours=hh)

    async def file(
        self, when: datetime, due: datetime | None, kind: str = "letter", group: str = "letters"
    ) -> int:
        service = self.stack.runtime.work_items
        assert service is not None
        sender = Sender(phone="+8613800138000") if kind == "callback" else Sender(email="r@x.cn")
        intake = Intake(kind=kind, subject=kind, body="", sender=sender, group=group, due_at=due)
        return (await service.submit(intake, actor="post", now=when)).id

    async def move(self, item: int, status: str, when: datetime, agent: str | None = None) -> None:
        service = self.stack.runtime.work_items
        assert service is not None
        change = Transition(status=status, owner_agent=agent, disposition_code=None)
        await service.transition(item_id=item, change=change, actor=BOSS, now=when)

    async def handled(self, item: int, agent: str, taken: datetime, done: datetime | None) -> None:
        await self.move(item, "accepted", taken, agent)
        if done is not None:
            await self.move(item, "done", done)


@pytest.fixture
async def floor(database_url: str) -> AsyncIterator[Floor]:
    await seed_letters(database_url)  # agents 1007 and 1008
    async with live_stack(database_url, work_offers_enabled=False) as stack:
        yield Floor(stack)


async def get(floor: Floor, path: str, role: str = "supervisor", **params: Any) -> httpx.Response:
    stack = floor.stack
    async with httpx.AsyncClient(base_url=stack.url(""), timeout=10) as http:
        token = await stack.token(role, "1007" if role == "agent" else None)
        headers = {"Authorization": f"Bearer {token}"}
        return await http.get(path, params=params, headers=headers)


async def test_work_reports_per_group_and_agent(floor: Floor) -> None:
    d0, d3 = DAY1 - timedelta(days=1), DAY2 + timedelta(days=1)
    f = floor
    handling: dict[str, list[float]] = {"1007": [], "1008": []}

    a = await f.file(f.at(DAY1, 9), f.at(DAY1, 17))  # done in time by 1007: 30 min
    await f.handled(a, "1007", f.at(DAY1, 10), f.at(DAY1, 10.5))
    handling["1007"].append(1800)
    b = await f.file(f.at(DAY1, 9.5), f.at(DAY1, 12))  # done late by 1007: 2 h
    await f.handled(b, "1007", f.at(DAY1, 11), f.at(DAY1, 13))
    handling["1007"].append(7200)
    c = await f.file(f.at(DAY2, 10), f.at(DAY2, 11), kind="email")  # in time by 1008: 10 min
    await f.handled(c, "1008", f.at(DAY2, 10 + 5 / 60), f.at(DAY2, 10.25))
    handling["1008"].append(600)
    await f.file(f.at(DAY1, 15), f.at(DAY2, 9))  # still waiting: open and overdue
    e = await f.file(f.at(d0, 10), f.at(DAY1, 12))  # came the day before, done in the range
    await f.handled(e, "1008", f.at(d0, 16), f.at(DAY1, 9 + 1 / 6))
    handling["1008"].append((f.at(DAY1, 9 + 1 / 6) - f.at(d0, 16)).total_seconds())
    await f.file(f.at(d3, 10), None)  # after the range: not in it
    g = await f.file(f.at(d0, 9), None)  # done before the range: not in it
    await f.handled(g, "1007", f.at(d0, 9.5), f.at(d0, 10))
    cb = await f.file(f.at(DAY2, 8), f.at(DAY2, 9), kind="callback", group="member-hotline")
    await f.move(cb, "cancelled", f.at(DAY2, 8.5))  # received, closed, neither done nor open
    held = await f.file(f.at(DAY2, 14), f.at(DAY2 + timedelta(days=5), 9))  # 1008 holds it
    await f.handled(held, "1008", f.at(DAY2, 14.5), None)
    after = await f.file(f.at(DAY2, 20), f.at(DAY2, 22))  # done after the range: open then
    await f.handled(after, "1007", f.at(DAY2, 21), f.at(d3, 9))

    # a letter sent to documents counts there, due by documents' rule for letters
    moved = await f.file(f.at(DAY1, 16), None)
    async with httpx.AsyncClient(base_url=f.stack.url(""), timeout=10) as http:
        sent = await http.post(
            f"/api/work-items/{moved}/transfer",
            json={"group": "documents"},
            headers={"Authorization": f"Bearer {await f.stack.token('supervisor')}"},
        )
    assert sent.status_code == 200, sent.text
    moved_due = datetime.fromisoformat(sent.json()["due_at"])
    cutoff = f.at(DAY2, 24)

    response = await get(f, "/api/reports/work/groups", **RANGE)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["report"] == "work_groups"
    rows = {(r["group"], r["kind"]): r for r in body["rows"]}
    async with f.stack.runtime.uow() as uow:
        groups = {g.slug for g in await uow.groups.list_all()}
    assert {g for g, k in rows if k == "all"} == groups  # every group, work or not

    letters = rows[("letters", "all")]
    assert letters["received"] == 6  # a, b, c, the waiting one, held, after
    assert (letters["done"], letters["done_in_sla"]) == (4, 3)  # a, b (late), c, e
    assert letters["sla_percent"] == round(100 * 3 / 4, 1)
    assert (letters["open"], letters["overdue"]) == (3, 2)  # waiting, after (both due); held
    every = handling["1007"] + handling["1008"]
    assert letters["median_handling_s"] == round(statistics.median(every), 1)
    p90 = statistics.quantiles(every, n=10, method="inclusive")[8]
    assert letters["p90_handling_s"] == round(p90, 1)
    assert rows[("letters", "email")]["done"] == 1
    assert rows[("letters", "email")]["median_handling_s"] == 600
    hotline = rows[("member-hotline", "callback")]
    assert (hotline["received"], hotline["done"], hotline["open"]) == (1, 0, 0)
    docs = rows[("documents", "letter")]
    assert (docs["received"], docs["open"]) == (1, 1)
    assert docs["overdue"] == (moved_due <= cutoff)
    assert rows[("finance", "all")]["received"] == 0 and ("finance", "letter") not in rows

    agents = await get(f, "/api/reports/work/agents", **RANGE)
    assert agents.status_code == 200, agents.text
    by_agent = {(r["agent"], r["kind"]): r for r in agents.json()["rows"]}
    assert {a for a, _ in by_agent} == {"1007", "1008"}
    mine = by_agent[("1007", "all")]
    assert (mine["accepted"], mine["done"], mine["done_in_sla"]) == (3, 2, 1)  # a, b, after
    assert (mine["open"], mine["overdue"]) == (1, 1)  # "after", done only the next day
    assert mine["median_handling_s"] == round(statistics.median(handling["1007"]), 1)
    theirs = by_agent[("1008", "all")]
    assert (theirs["accepted"], theirs["done"], theirs["open"]) == (2, 2, 1)  # c, held; c, e
    assert theirs["p90_handling_s"] == round(
        statistics.quantiles(handling["1008"], n=10, method="inclusive")[8], 1
    )

    one = await get(f, "/api/reports/work/agents", group="member-hotline", **RANGE)
    assert one.json()["rows"] == []  # nobody handled hotline work

    text = await get(f, "/api/reports/work/groups", format="csv", **RANGE)
    assert text.status_code == 200
    assert text.headers["content-type"].startswith("text/csv")
    assert 'filename="work_groups.csv"' in text.headers["content-disposition"]
    table = list(csv.reader(io.StringIO(text.text)))
    assert table[0] == body["columns"]
    assert len(table) == len(body["rows"]) + 1
    line = next(r for r in table if r[:2] == ["finance", "all"])
    assert line[table[0].index("sla_percent")] == ""  # nothing done: no SLA figure


async def test_work_reports_roles_and_bad_input(floor: Floor) -> None:
    for path in ("/api/reports/work/groups", "/api/reports/work/agents"):
        assert (await get(floor, path, "admin", **RANGE)).status_code == 200
        for role in ("agent", "dialplan", "intake"):  # as the call reports: supervisors only
            assert (await get(floor, path, role, **RANGE)).status_code == 403
        async with httpx.AsyncClient(base_url=floor.stack.url(""), timeout=10) as http:
            assert (await http.get(path, params=RANGE)).status_code == 401
        cases = [
            ({"from": "2026-11-24", "to": "2026-11-23"}, "to"),
            ({"from": "2026-13-01"}, "from"),
            ({"from": "2026-01-01", "to": "2026-12-31"}, "to"),  # over 92 days
            ({"from": "1999-12-31", "to": "2000-01-01"}, "from"),
            ({**RANGE, "group": "accounts"}, "group"),
            ({**RANGE, "format": "xml"}, "format"),
        ]
        for params, field in cases:
            bad = await get(floor, path, **params)
            assert bad.status_code == 422, (params, bad.text)
            assert bad.json()["detail"][0]["loc"] == ["query", field]
