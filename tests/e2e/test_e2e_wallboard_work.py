"""The wallboard page shows each group's work items (open, overdue, done, SLA, callbacks)."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect
from test_e2e_wallboard import open_wallboard
from test_work_offers import seed_letters
from test_work_wallboard import file_letters_work

from support.livestack import live_stack


async def test_the_letters_tile_shows_its_work_items(page: Any, sqlite_url: str) -> None:
    await seed_letters(sqlite_url)
    async with live_stack(sqlite_url, wait_ami=True, work_offers_enabled=False) as stack:
        await open_wallboard(page, stack)
        work = page.locator(".tile[data-group=letters] [data-testid=work]")
        await expect(work.locator("[data-testid=work-open] .stat-value")).to_have_text("0")
        await file_letters_work(stack)
        await expect(work.locator("[data-testid=work-open] .stat-value")).to_have_text(
            "2", timeout=10_000
        )
        await expect(work.locator("[data-testid=work-overdue] .stat-value")).to_have_text("2")
        await expect(work.locator("[data-testid=work-done] .stat-value")).to_have_text("1")
        await expect(work.locator("[data-testid=callbacks-due] .stat-value")).to_have_text("1")
        await expect(work).to_contain_text("Items open")
        await expect(work).to_contain_text("Callbacks made")
        assert page.errors == []
