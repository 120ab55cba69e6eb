"""Pausing while the phone rings: the call is not lost, the pause waits for the call's end."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect
from test_e2e_desktop import CALLER, open_desktop

from support.livestack import live_stack


async def test_pause_while_ringing_is_pending_and_the_call_still_connects(
    page: Any, sqlite_url: str
) -> None:
    async with live_stack(sqlite_url, time_scale=0.5, wait_ami=True) as stack:
        await open_desktop(page, stack, "1001")
        stack.sim.place_call(
            CALLER, "Li Wei", "8001", answer_by="1001", agent_answers_after=8, talk_s=6
        )
        phase = page.locator("#call-card [data-testid=call-phase]")
        await expect(phase).to_have_text("Ringing")
        await page.select_option("#pause-reason", "Lunch break")
        await page.click("#btn-pause")
        await expect(page.locator("#notice")).to_contain_text("Pause pending")
        await expect(page.locator("#state-detail")).to_contain_text("pause pending: Lunch break")
        # the ringing call is not dropped by the pause: it connects and ends as usual
        await expect(phase).to_have_text("Connected", timeout=15_000)
        await expect(page.locator("#disposition")).to_be_visible(timeout=15_000)
        # then the pause takes effect (shown once the queue's wrap-up time is over)
        await expect(page.locator("#state-detail")).not_to_contain_text("pending", timeout=10_000)
        await expect(page.locator("#state-pill")).to_have_attribute(
            "data-state", "paused", timeout=20_000
        )
        await expect(page.locator("#state-detail")).to_contain_text("Lunch break")
        assert all(m.paused for q in stack.sim.model.queues.values()
                   for i, m in q.members.items() if i.startswith("Local/1001@"))  # fmt: skip
        assert page.errors == []
