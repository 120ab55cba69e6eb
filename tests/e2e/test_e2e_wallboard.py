"""The wallboard in headless Chromium: live waiting counts and agent states, no reloads."""

from __future__ import annotations

import asyncio
from typing import Any

from playwright.async_api import expect

from support.livestack import LiveStack, live_stack


async def open_wallboard(page: Any, stack: LiveStack) -> None:
    """Sign in with a supervisor token through the URL fragment."""
    token = await stack.token("supervisor")
    await page.goto(stack.url(f"/wallboard#token={token}"))
    await expect(page.locator("#conn")).to_have_text("● live")
    await expect(page.locator(".tile[data-group=member-hotline]")).to_be_visible()


async def test_waiting_calls_and_agent_states_follow_the_floor(page: Any, sqlite_url: str) -> None:
    async with live_stack(sqlite_url, time_scale=0.25, wait_ami=True) as stack:
        await open_wallboard(page, stack)
        await page.evaluate("window.loadedOnce = true")  # gone if the page ever reloads
        hotline = page.locator(".tile[data-group=member-hotline]")
        waiting = hotline.locator("[data-testid=waiting] .stat-value")
        await expect(waiting).to_have_text("0")
        wang = page.locator(".agent-card[data-agent='1001']")
        await expect(wang).to_have_attribute("data-state", "available")

        # Nobody answers these two: they wait in the hotline queue.
        for caller in ("+8613011112222", "+8613122223333"):
            stack.sim.place_call(caller, None, "8001", answer_by="nobody", caller_hangs_up_after=6)
        await expect(waiting).to_have_text("2")
        await expect(page.locator("[data-testid=total-waiting] .stat-value")).to_have_text("2")
        await expect(hotline.locator(".tile-now .stat").nth(1)).not_to_have_text("—")

        # The callers give up: the queue empties and the abandons are counted.
        await expect(waiting).to_have_text("0", timeout=15_000)
        await expect(hotline.locator(".tile-day .stat").nth(2).locator(".stat-value")).to_have_text(
            "2"
        )

        # A call Wang Fang answers turns her card to "On call".
        stack.sim.place_call(
            "+8613800138000", "Li Wei", "8001", answer_by="1001", agent_answers_after=2, talk_s=20
        )
        await expect(wang).to_have_attribute("data-state", "on_call", timeout=15_000)
        await expect(wang.locator(".agent-state")).to_contain_text("On call")
        first = await wang.locator(".agent-time").text_content()
        await asyncio.sleep(2.2)  # the time in state ticks in the browser between updates
        assert await wang.locator(".agent-time").text_content() != first
        assert await page.evaluate("window.loadedOnce") is True
        assert page.errors == []


async def test_an_agent_token_is_refused_with_a_reason(page: Any, sqlite_url: str) -> None:
    async with live_stack(sqlite_url, wait_ami=True) as stack:
        token = await stack.token("agent", "1001")
        await page.goto(stack.url(f"/wallboard#token={token}"))
        await expect(page.locator("#signin-error")).to_contain_text("supervisor or admin token")
        await expect(page.locator("#app")).to_be_hidden()
        assert "token" not in page.url
