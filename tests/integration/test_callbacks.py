"""An out-of-hours caller told "we call you back" gets a callback work item (SQLite, PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

from support import ApiHarness

SUNDAY_10 = datetime(2026, 11, 29, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


async def test_the_running_routers_callback_lands_in_the_work_items(api: ApiHarness) -> None:
    decision = await api.runtime.routing.route(
        caller_raw="+86 139 0000 1111", did="8006", menu=None, now=SUNDAY_10
    )
    assert decision.action == "callback"
    async with asyncio.timeout(5):
        while True:
            async with api.runtime.uow() as uow:
                items = await uow.work_items.list_open()
            if items:
                break
            await asyncio.sleep(0.05)
    (item,) = items
    assert (item.kind, item.caller, item.status) == ("callback", "+8613900001111", "open")
    assert item.note is not None and "dialled 8006" in item.note
    assert item.created_at == SUNDAY_10
