"""Work-item figures per group in the wallboard snapshot (REST), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from test_work_offers import auth, seed_letters

from callcenter.domain.work_items import Sender
from callcenter.services.work_requests import Actor, Intake, Transition
from support.livestack import LiveStack, live_stack


async def file_letters_work(stack: LiveStack) -> None:
    """An overdue letter, a letter taken and done, an overdue callback: all in `letters`."""
    work = stack.runtime.work_items
    assert work is not None
    now = datetime.now(UTC)
    past = now - timedelta(hours=1)

    def intake(kind: str, sender: Sender, due: datetime | None = None) -> Intake:
        return Intake(kind=kind, subject=kind, body="", sender=sender, group="letters", due_at=due)

    await work.submit(intake("letter", Sender(member_no="M0000001"), past), actor="t", now=now)
    done = await work.submit(intake("letter", Sender(email="a@example.com")), actor="t", now=now)
    call_back = Sender(phone="+8613800138000")
    await work.submit(intake("callback", call_back, past), actor="t", now=now)
    boss = Actor("supervisor", manager=True)
    await work.transition(
        item_id=done.id, change=Transition("accepted", owner_agent="1007"), actor=boss, now=now
    )
    await work.transition(item_id=done.id, change=Transition("done"), actor=boss, now=now)


async def letters_work(stack: LiveStack, want: dict[str, Any]) -> dict[str, Any]:
    """The letters group's `work` figures once they show `want` (or the last seen)."""
    seen: dict[str, Any] = {}
    async with httpx.AsyncClient(base_url=stack.url(""), timeout=10) as http:
        for _ in range(60):
            got = await http.get("/api/wallboard", headers=await auth(stack, "supervisor"))
            assert got.status_code == 200, got.text
            (group,) = [g for g in got.json()["groups"] if g["slug"] == "letters"]
            seen = group["work"]
            if all(seen.get(k) == v for k, v in want.items()):
                break
            await asyncio.sleep(0.25)
    return seen


async def test_the_wallboard_counts_each_groups_work_items(database_url: str) -> None:
    await seed_letters(database_url)
    async with live_stack(database_url, wait_ami=True, work_offers_enabled=False) as stack:
        empty = await letters_work(stack, {"items_open": 0})
        assert empty["items_open"] == 0 and empty["sla_pct"] is None
        await file_letters_work(stack)
        want = {
            "items_open": 2,
            "items_overdue": 2,
            "done_today": 1,
            "sla_pct": 100.0,
            "callbacks_due": 1,
            "callbacks_made": 0,
        }
        work = await letters_work(stack, want)
        assert {k: work[k] for k in want} == want
        assert work["oldest_age_s"] is not None and work["oldest_age_s"] >= 0
