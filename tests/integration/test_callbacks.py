"""An out-of-hours caller told "we call you back" leaves a callback work item (SQLite, PostgreSQL):
through the running router, and through the HTTP dialplan hook as Asterisk's CURL() asks it."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from callcenter.app import create_app
from callcenter.settings import Settings
from support import ApiHarness

SUNDAY_10 = datetime(2026, 11, 29, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
MONDAY_9 = datetime(2026, 11, 30, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


async def _open_items(api: ApiHarness) -> list[Any]:
    async with api.runtime.uow() as uow:
        return await uow.work_items.list_open()


async def test_the_running_routers_callback_lands_in_the_work_items(api: ApiHarness) -> None:
    decision = await api.runtime.routing.route(
        caller_raw="+86 139 0000 1111", did="8006", menu=None, now=SUNDAY_10
    )
    assert decision.action == "callback"
    async with asyncio.timeout(5):
        while not (items := await _open_items(api)):
            await asyncio.sleep(0.05)
    (item,) = items
    assert (item.kind, item.caller, item.status) == ("callback", "+8613900001111", "new")
    assert (item.channel, item.source, item.group_slug) == ("callback", "router", "letters")
    assert item.note is None or "outside hours" in item.note
    assert "dialled 8006" in item.body
    assert item.created_at == SUNDAY_10
    assert item.due_at == MONDAY_9  # "0h": the callback group's next opening
    # the same caller again: still one item to call back, the second call is in its log
    await api.runtime.routing.route(
        caller_raw="13900001111", did="8006", menu=None, now=SUNDAY_10 + timedelta(minutes=5)
    )
    async with asyncio.timeout(5):
        while True:
            async with api.runtime.uow() as uow:
                events = await uow.work_items.events(item_id=item.id)
            if len(events) == 2:
                break
            await asyncio.sleep(0.05)
    assert "called again" in (events[1].note or "")
    assert [i.id for i in await _open_items(api)] == [item.id]


def _closed_today(where: Path) -> Path:
    """The shipped rules with every group open only on a weekday that is not today (local)."""
    text = resources.files("callcenter.routing").joinpath("default.toml").read_text("utf-8")
    today = datetime.now(ZoneInfo("Asia/Shanghai")).weekday()
    other = DAYS[(today + 3) % 7]
    text = re.sub(r"^hours = \[.*\]$", f'hours = ["{other} 09:00-17:00"]', text, flags=re.M)
    text = re.sub(r"^holidays = \[.*?\]$", "holidays = []", text, flags=re.M | re.S)
    path = where / "closed-today.toml"
    path.write_text(text, "utf-8")
    return path


@pytest.fixture
async def closed_app(database_url: str, tmp_path: Path) -> AsyncIterator[ApiHarness]:
    settings = Settings(
        database_url=database_url,
        ami_servers=[],
        agi_enabled=False,
        routing_file=_closed_today(tmp_path),
        dialplan_allow=["127.0.0.1"],
        work_files_dir=tmp_path / "files",
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield ApiHarness(client, app.state.runtime)


async def test_the_http_hook_answers_callback_and_the_item_is_listed_within_2_s(
    closed_app: ApiHarness,
) -> None:
    api = closed_app
    asked = time.monotonic()
    reply = await api.client.get(
        "/api/dialplan/route", params={"caller": "0086 139-0000-2222", "did": "8001"}
    )
    assert reply.status_code == 200
    assert reply.json()["action"] == "callback"
    h = await api.headers("supervisor")
    found: list[dict[str, Any]] = []
    while time.monotonic() - asked < 2.0 and not found:
        listed = await api.client.get("/api/work-items", params={"kind": "callback"}, headers=h)
        found = listed.json()
        if not found:
            await asyncio.sleep(0.05)
    assert found, "no callback item within 2 s"
    (item,) = found
    assert item["from"]["phone"] == item["caller"] == "+8613900002222"
    assert (item["kind"], item["status"], item["group"]) == ("callback", "new", "letters")
    due = datetime.fromisoformat(item["due_at"])
    assert due > datetime.now(UTC)  # the group's next opening, on another weekday
    assert (
        due.astimezone(ZoneInfo("Asia/Shanghai")).weekday()
        != datetime.now(ZoneInfo("Asia/Shanghai")).weekday()
    )


async def test_a_withheld_caller_is_kept_in_triage_not_lost(closed_app: ApiHarness) -> None:
    api = closed_app
    reply = await api.client.get("/api/dialplan/route", params={"caller": "", "did": "8001"})
    assert reply.json()["action"] == "callback"
    h = await api.headers("supervisor")
    async with asyncio.timeout(2):
        while not (found := (await api.client.get("/api/work-items", headers=h)).json()):
            await asyncio.sleep(0.05)
    (item,) = found
    assert item["status"] == "triage"
    assert "withheld" in item["note"]
