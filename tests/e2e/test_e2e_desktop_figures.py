"""The agent's own figures today on the desktop: calls handled, AHT, FCR and time paused."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.async_api import expect
from test_e2e_desktop import CALLER, open_desktop

from support.faults import open_all_day_rules
from support.livestack import live_stack


def clock_text(seconds: float) -> str:
    """The desktop's m:ss."""
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


async def test_my_day_counts_the_call_its_first_contact_resolution_and_my_pause(
    page: Any, sqlite_url: str
) -> None:
    async with live_stack(sqlite_url, time_scale=0.25, wait_ami=True) as stack:
        await open_desktop(page, stack, "1001")
        calls = page.locator("[data-testid=my-calls] .my-value")
        await expect(calls).to_have_text("0")
        await expect(page.locator("[data-testid=my-fcr] .my-value")).to_have_text("—")
        await expect(page.locator("[data-testid=my-paused] .my-value")).to_have_text("0:00")

        stack.sim.place_call(
            CALLER, "Li Wei", "8001", answer_by="1001", agent_answers_after=1, talk_s=20
        )
        await expect(page.locator("#disposition")).to_be_visible(timeout=15_000)
        await expect(calls).to_have_text("1", timeout=15_000)
        today = stack.runtime.wallboard.agent_today("1001")
        assert today["answered"] == 1 and today["aht_s"] is not None
        # the page shows the server's handle time (talk + wrap-up), as the wallboard counts it
        await expect(page.locator("[data-testid=my-aht] .my-value")).to_have_text(
            clock_text(today["aht_s"])
        )
        await page.select_option("#dispo-code", index=1)
        await page.check("#disposition input[name=settled][value=yes]")
        await page.click("#disposition button[type=submit]")
        await expect(page.locator("[data-testid=my-fcr] .my-value")).to_have_text(
            "100%", timeout=10_000
        )

        await expect(page.locator("#state-pill")).to_have_attribute(
            "data-state", "available", timeout=20_000
        )
        await page.select_option("#pause-reason", "Training")
        await page.click("#btn-pause")
        await expect(page.locator("#state-pill")).to_have_attribute("data-state", "paused")
        paused = page.locator("[data-testid=my-paused] .my-value")
        await expect(paused).not_to_have_text("0:00", timeout=5_000)  # ticks while paused
        await page.click("#btn-available")  # resume
        await expect(page.locator("#state-pill")).to_have_attribute("data-state", "available")
        held = await paused.text_content()
        assert stack.runtime.wallboard.agent_today("1001")["paused_s"] >= 1.0
        await page.wait_for_timeout(2_000)
        assert await paused.text_content() == held  # stopped once resumed
        assert page.errors == []


async def test_my_day_shows_the_callers_waiting_in_my_queues_and_the_longest_wait(
    page: Any, sqlite_url: str, tmp_path: Path
) -> None:
    """Two strangers queue for the member hotline (1001's queue) and nobody answers: the card
    says 2 with a growing longest wait; once they hang up it says 0 again."""
    rules = open_all_day_rules(tmp_path, overflow_after_s=3600)  # they stay where they queue
    async with live_stack(
        sqlite_url, time_scale=0.25, wait_ami=True, agi=True, routing_file=rules
    ) as stack:
        await open_desktop(page, stack, "1001")
        waiting = page.locator("[data-testid=my-waiting] .my-value")
        await expect(waiting).to_have_text("0")
        for number in ("+8613911112222", "+8613911113333"):
            stack.sim.place_call(number, None, "8001", answer_by="nobody", caller_hangs_up_after=60)
        await expect(waiting).to_have_text(re.compile(r"^2 · \d+:\d\d$"), timeout=15_000)
        today = stack.runtime.wallboard.agent_today("1001")
        assert today["waiting_in_my_queues"] == 2 and today["longest_wait_s"] > 0
        # an agent of other queues sees none of them
        assert stack.runtime.wallboard.agent_today("1004")["waiting_in_my_queues"] == 0
        await expect(waiting).to_have_text("0", timeout=40_000)
