"""The wallboard shows each running campaign live: dialled, answered, connected, abandoned, the
abandon rate of each window, dial level, agents, list left and sales (headless Chromium)."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.async_api import expect
from test_e2e_desktop import open_desktop
from test_e2e_desktop_campaign import LI_WEI, SUN_LI, sell, start_campaign
from test_e2e_wallboard import open_wallboard

from callcenter.sim.pstn import Dialled
from support.livestack import live_stack


async def test_a_running_campaign_has_its_live_tile(page: Any, sqlite_url: str) -> None:
    """Figure: a progressive campaign of two senior members: Li Wei answers and is connected to
    Wang Fang, the hotline's one free agent, who records a sale; Sun Li's line is busy (retried
    much later) -> the tile counts 2 dialled, 1 answered, 1 connected, 0 abandoned (0 % in
    every window), 1 left on the list, 1 sale; stopped, the tile leaves the board."""
    async with live_stack(sqlite_url, time_scale=0.25, wait_ami=True) as stack:
        stack.sim.answer_delay_s = 0.2
        for number, dialled in ((LI_WEI, Dialled("answer", 2.0, 20.0)), (SUN_LI, Dialled("busy"))):
            for form in (number, number.removeprefix("+86"), "0" + number.removeprefix("+86")):
                stack.sim.pstn.numbers[form] = dialled
        for ext in ("1002", "1003"):
            stack.sim.model.queues["member-hotline"].members[f"Local/{ext}@agents/n"].paused = True
        await open_wallboard(page, stack)
        await expect(page.locator("#campaigns")).to_be_hidden()  # none runs yet
        desk = await page.context.new_page()
        desk_errors: list[str] = []
        desk.on("pageerror", lambda exc: desk_errors.append(str(exc)))
        await open_desktop(desk, stack, "1001")
        cid = await start_campaign(stack, "progressive", group="member-hotline", sun_li=True)

        tile = page.locator(f"[data-testid=campaign-tile][data-campaign='{cid}']")
        await expect(tile.locator("[data-testid=cp-name]")).to_have_text("Winter catalogue")
        await expect(tile).to_contain_text("progressive · running")
        await expect(tile.locator("[data-testid=cp-cap]")).to_have_text("cap 3%")
        await expect(desk.locator("#campaign [data-testid=campaign-script]")).to_be_visible(
            timeout=30_000
        )
        await expect(tile.locator("[data-testid=cp-agents] .stat-value")).not_to_have_text("0")
        await sell(desk, "Winter catalogue box", "88.00")
        await expect(desk.locator("[data-testid=campaign-closed]")).to_be_visible()

        def figure(name: str) -> Any:
            return tile.locator(f"[data-testid=cp-{name}] .stat-value")

        await expect(figure("connected")).to_have_text("1", timeout=30_000)
        await expect(figure("dialled")).to_have_text("2", timeout=30_000)
        await expect(figure("answered")).to_have_text("1")
        await expect(figure("abandoned")).to_have_text("0")
        await expect(figure("sales")).to_have_text("1")
        await expect(figure("list-left")).to_have_text("1")
        await expect(figure("dial-level")).not_to_have_text("")
        for window in ("1h", "24h", "30d"):
            rate = tile.locator(f"[data-testid=cp-abandon-{window}]")
            await expect(rate.locator(".stat-value")).to_have_text("0%")
            await expect(rate).not_to_have_class("stat hot")

        sup = {"Authorization": f"Bearer {await stack.token('supervisor')}"}
        async with httpx.AsyncClient(base_url=stack.url(""), headers=sup) as client:
            stopped = await client.post(f"/api/campaigns/{cid}/stop")
            assert stopped.status_code == 200, stopped.text
        await expect(tile).to_have_count(0, timeout=10_000)
        assert page.errors == [] and desk_errors == []
