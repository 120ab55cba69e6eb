"""Wrap-up needs a real choice; a ringing call is heard and notified; keyboard shortcuts work."""

from __future__ import annotations

import asyncio
from typing import Any

from playwright.async_api import expect
from test_e2e_desktop import CALLER, open_desktop

from support.livestack import live_stack

# A hidden tab, as when the agent is working in another window (switchable from the test).
HIDDEN_TAB = """
Object.defineProperty(document, "hidden", { get: () => window.__hidden === true });
"""


async def test_disposition_starts_empty_and_shortcuts_drive_the_desk(
    page: Any, sqlite_url: str
) -> None:
    await page.context.grant_permissions(["notifications"])
    await page.context.add_init_script(HIDDEN_TAB)
    async with live_stack(sqlite_url, time_scale=0.25, wait_ami=True) as stack:
        await open_desktop(page, stack, "1001")
        await expect(page.locator(".keys")).to_contain_text("Alt+P")
        await page.evaluate("window.__hidden = true")
        linkedid = stack.sim.place_call(
            CALLER, "Li Wei", "8001", answer_by="1001", agent_answers_after=4, talk_s=4
        )
        phase = page.locator("#call-card [data-testid=call-phase]")
        await expect(phase).to_have_text("Ringing")
        body = page.locator("body")
        await expect(body).to_have_attribute("data-rang", "1")  # the ring tone played once
        await expect(body).to_have_attribute("data-notified", "1")  # tab hidden: notified
        await page.evaluate("window.__hidden = false")

        form = page.locator("#disposition")
        await expect(form).to_be_visible(timeout=15_000)
        code = form.locator("#dispo-code")
        assert await code.input_value() == ""  # no real code is pre-chosen
        await form.locator("input[name=settled][value=yes]").check()
        await page.keyboard.press("Alt+S")  # save without a choice: refused, form kept
        await asyncio.sleep(0.5)
        await expect(form).to_be_visible()
        assert await code.evaluate("el => el.validity.valueMissing")
        await page.locator("#search-q").focus()
        await page.keyboard.press("Alt+D")
        assert await code.evaluate("el => el === document.activeElement")
        await code.select_option("order_status")
        await page.keyboard.press("Alt+S")
        await expect(page.locator("#notice")).to_have_text("Disposition saved.")
        await expect(form).to_be_hidden()
        await stack.settled()
        async with stack.runtime.uow() as uow:
            stored = await uow.calls.get("pbx1", linkedid)
        assert stored is not None and stored.disposition_code == "order_status"

        pill = page.locator("#state-pill")
        await expect(pill).to_have_attribute("data-state", "available", timeout=15_000)
        await page.keyboard.press("Alt+P")
        await expect(pill).to_have_attribute("data-state", "paused")
        await page.keyboard.press("Alt+R")
        await expect(pill).to_have_attribute("data-state", "available")
        assert page.errors == []
