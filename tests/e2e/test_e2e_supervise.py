"""From the wallboard a supervisor listens to an agent's live call; the card shows it."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect
from test_e2e_wallboard import open_wallboard

from support.livestack import live_stack

SUPERVISOR_PHONE = "Local/1101@agent-phone/n"


async def test_listen_button_rings_the_supervisor_into_the_call_and_flags_the_agent(
    page: Any, sqlite_url: str
) -> None:
    async with live_stack(sqlite_url, time_scale=0.25, wait_ami=True) as stack:
        await open_wallboard(page, stack)
        asked: list[str] = []

        async def answer(dialog: Any) -> None:
            asked.append(dialog.message)
            await dialog.accept(SUPERVISOR_PHONE)

        page.on("dialog", answer)
        wang = page.locator(".agent-card[data-agent='1001']")
        await expect(wang.locator(".sup-listen")).to_have_count(0)  # no call: no buttons
        linkedid = stack.sim.place_call(
            "+8613800138000", "Li Wei", "8001", answer_by="1001", agent_answers_after=1,
            talk_s=60,
        )  # fmt: skip
        await expect(wang).to_have_attribute("data-state", "on_call", timeout=15_000)
        await wang.locator(".sup-listen").click()
        await expect(wang.locator("[data-testid=monitored]")).to_have_text(
            "supervisor listening", timeout=15_000
        )
        assert len(asked) == 1
        assert await page.evaluate("localStorage.getItem('callcenter.supervisor_phone')") == (
            SUPERVISOR_PHONE
        )
        assert stack.runtime.audit is not None
        (row,) = await stack.runtime.audit.recent(kind="monitor")
        assert row.agent_code == "1001" and row.linkedid == linkedid
        assert row.detail == f"listen from {SUPERVISOR_PHONE}"
        assert page.errors == []
