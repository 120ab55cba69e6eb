"""Wallboard sparklines (waiting and SL, 24 h by 15 minutes) and alarms: red, listed, announced."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect
from test_e2e_wallboard import open_wallboard

from support.livestack import live_stack


async def test_a_long_wait_and_a_long_pause_alarm_and_the_sparkline_shows_the_queue(
    page: Any, sqlite_url: str
) -> None:
    async with live_stack(
        sqlite_url,
        time_scale=0.25,
        wait_ami=True,
        alarm_wait_s=3.0,
        pause_limits_s={"Break": 2.0},
    ) as stack:
        await open_wallboard(page, stack)
        hotline = page.locator(".tile[data-group=member-hotline]")
        alarms = page.locator("[data-testid=alarms]")
        await expect(alarms).to_be_hidden()
        await expect(hotline).to_have_attribute("data-alarm", "0")
        await expect(hotline.locator("[data-testid=sparkline] svg")).to_be_visible()

        token = await stack.token("supervisor")
        headers = {"Authorization": f"Bearer {token}"}

        async def agent(code: str, action: str, **body: str) -> None:
            url = stack.url(f"/api/agents/{code}/{action}")
            assert (await page.request.post(url, headers=headers, data=body)).ok

        await agent("1001", "pause", reason="Lunch break")  # no limit for lunch
        wang = page.locator(".agent-card[data-agent='1001']")
        await expect(wang).to_have_attribute("data-state", "paused")
        for caller in ("+8613011112222", "+8613122223333"):  # only Wang Fang will answer them
            stack.sim.place_call(
                caller, None, "8001", answer_by="1001", agent_answers_after=1, talk_s=2
            )
        # The wait passes its limit with no new event: the board turns red and says so.
        await expect(hotline).to_have_attribute("data-alarm", "1", timeout=15_000)
        wait_alarm = alarms.locator("li[data-kind=wait][data-group=member-hotline]")
        await expect(wait_alarm).to_contain_text("longest wait")
        await expect(wait_alarm).to_contain_text("over 0:03")
        await expect(page.locator("[data-testid=announce]")).to_contain_text("longest wait")
        assert int(await page.evaluate("document.body.dataset.alarmed")) >= 1
        spark = hotline.locator("[data-testid=sparkline]")
        await expect(spark).to_have_attribute("data-peak", "2")

        # An agent on a break longer than the reason allows.
        await agent("1002", "pause", reason="Break")
        pause_alarm = alarms.locator("li[data-kind=pause][data-agent='1002']")
        await expect(pause_alarm).to_contain_text("Zhang Wei: paused (Break)", timeout=10_000)
        zhang = page.locator(".agent-card[data-agent='1002']")
        await expect(zhang).to_have_class("agent-card st-paused alarm")

        await expect(wang).not_to_have_class("alarm")

        # Wang Fang comes back: both callers are answered late, the day's SL drops under target.
        await agent("1001", "resume")
        await expect(wait_alarm).to_have_count(0, timeout=30_000)
        sl_alarm = alarms.locator("li[data-kind=sl][data-group=member-hotline]")
        await expect(sl_alarm).to_contain_text("under target")
        await expect(hotline).to_have_attribute("data-alarm", "1")
        assert page.errors == []
