"""Ready in wrap-up: the agent ends the queue's wrap-up time early; the next call rings."""

from __future__ import annotations

import asyncio
from typing import Any

from playwright.async_api import expect
from test_e2e_desktop import CALLER, open_desktop

from support.livestack import live_stack

LONG_WRAPUP_S = 600.0  # queues.conf wrapuptime and CALLCENTER_QUEUE_WRAPUP_S agree


async def test_ready_ends_wrap_up_and_the_waiting_caller_rings_at_once(
    page: Any, sqlite_url: str
) -> None:
    async with live_stack(
        sqlite_url,
        time_scale=0.25,
        wait_ami=True,
        queue_wrapup_s={"member-hotline": LONG_WRAPUP_S},
    ) as stack:
        stack.sim.model.queues["member-hotline"].wrapuptime = int(LONG_WRAPUP_S)
        await open_desktop(page, stack, "1001")
        pill = page.locator("#state-pill")
        stack.sim.place_call(
            CALLER, "Li Wei", "8001", answer_by="1001", agent_answers_after=1, talk_s=4
        )
        await expect(page.locator("#disposition")).to_be_visible(timeout=15_000)
        await expect(pill).to_have_attribute("data-state", "wrap_up", timeout=10_000)
        await expect(page.locator("[data-testid=wrapup-countdown]")).to_contain_text(
            "Wrap-up time left"
        )
        ready = page.locator("#btn-available")
        await expect(ready).to_have_text("Ready")
        await expect(ready).to_be_enabled()

        # A second caller only 1001 would answer: app_queue's wrapuptime holds it back.
        stack.sim.place_call(
            "+8613122223333", "Zhao Min", "8001", answer_by="1001", agent_answers_after=30,
            caller_hangs_up_after=400,
        )  # fmt: skip
        await asyncio.sleep(3)  # 12 simulated seconds: it would have rung 1001 by now
        await expect(pill).to_have_attribute("data-state", "wrap_up")
        phase = page.locator("#call-card [data-testid=call-phase]")
        await expect(phase).to_have_text("Call ended")  # still the first call's card
        await expect(page.locator("#call-card")).not_to_contain_text("Zhao Min")

        await ready.click()
        await expect(phase).to_have_text("Ringing", timeout=10_000)
        await expect(page.locator("#call-card")).to_contain_text("Zhao Min")
        # the first call's form stays (its disposition is still owed), its countdown is over
        await expect(page.locator("#disposition")).to_be_visible()
        await expect(page.locator("[data-testid=wrapup-countdown]")).to_contain_text(
            "Wrap-up time is over"
        )
        members = [m for q in stack.sim.model.queues.values()
                   for i, m in q.members.items() if i.startswith("Local/1001@")]  # fmt: skip
        assert members and not any(m.paused for m in members)
        assert page.errors == []


async def test_ready_outside_wrap_up_is_refused_with_a_reason(page: Any, sqlite_url: str) -> None:
    async with live_stack(sqlite_url, wait_ami=True) as stack:
        await open_desktop(page, stack, "1001")
        token = await stack.token("supervisor")
        await page.select_option("#pause-reason", "Training")
        await page.click("#btn-pause")
        await expect(page.locator("#state-pill")).to_have_attribute("data-state", "paused")
        answer = await page.request.post(
            stack.url("/api/agents/1001/ready"), headers={"Authorization": f"Bearer {token}"}
        )
        assert answer.status == 409
        assert "not in wrap-up" in (await answer.json())["detail"]
