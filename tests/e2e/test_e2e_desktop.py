"""The agent desktop in headless Chromium against the live backend and the simulated Asterisk."""

from __future__ import annotations

import asyncio
from typing import Any

from playwright.async_api import expect

from support.livestack import LiveStack, live_stack

CALLER = "+8613800138000"  # Li Wei, senior member, order BK-2026-0042


async def open_desktop(page: Any, stack: LiveStack, code: str) -> None:
    """Sign in through the URL fragment and wait until the desktop is online."""
    token = await stack.token("agent", code)
    await page.goto(stack.url(f"/desktop#token={token}"))
    await expect(page.locator("#app")).to_be_visible()
    await expect(page.locator("#conn")).to_have_text("● online")
    await asyncio.sleep(0.3)  # the websocket's hello is processed before the first call starts


async def test_token_leaves_the_address_bar_and_a_bad_token_gets_the_sign_in_box(
    page: Any, sqlite_url: str
) -> None:
    async with live_stack(sqlite_url, wait_ami=True) as stack:
        await open_desktop(page, stack, "1001")
        assert "token" not in page.url
        assert await page.evaluate("sessionStorage.getItem('callcenter.token')") is not None
        await expect(page.locator("#agent-name")).to_have_text("Wang Fang")

        other = await page.context.new_page()
        await other.goto(stack.url("/desktop#token=cc_not-a-real-token-at-all-000000"))
        await expect(other.locator("#signin")).to_be_visible()
        await expect(other.locator("#signin-error")).to_contain_text("valid bearer token")
        await expect(other.locator("#app")).to_be_hidden()
        supervisor = await stack.token("supervisor")
        await other.fill("#signin-token", supervisor)
        await other.click("#signin-form button")
        await expect(other.locator("#signin-error")).to_contain_text("agent token")
        assert page.errors == []


async def test_ringing_call_pops_the_customer_then_wrap_up_stores_the_disposition(
    page: Any, sqlite_url: str
) -> None:
    async with live_stack(sqlite_url, time_scale=0.25, wait_ami=True) as stack:
        await open_desktop(page, stack, "1001")
        linkedid = stack.sim.place_call(
            CALLER, "Li Wei", "8001", answer_by="1001", agent_answers_after=8, talk_s=12
        )
        card = page.locator("#call-card")
        await expect(card.locator("[data-testid=call-phase]")).to_have_text("Ringing")
        record = page.locator("#record")
        await expect(record.locator("[data-testid=customer-name]")).to_have_text("Li Wei")
        await expect(record.locator(".orders tbody tr").first).to_contain_text("BK-2026-0042")
        await expect(record.locator(".orders tbody tr").first).to_contain_text(
            "The Three-Body Problem"
        )
        await expect(record.locator(".badge.seg-senior")).to_be_visible()
        await expect(card.locator("[data-testid=call-phase]")).to_have_text("Connected")

        form = page.locator("#disposition")
        await expect(form).to_be_visible(timeout=15_000)
        await form.locator("#dispo-code").select_option("order_status")
        await form.locator("input[name=settled][value=yes]").check()
        await form.locator("#dispo-note").fill("asked where the parcel is; 送货中")
        await form.locator("button[type=submit]").click()
        await expect(page.locator("#notice")).to_have_text("Disposition saved.")
        await expect(form).to_be_hidden()

        await stack.settled()
        async with asyncio.timeout(10):
            while True:
                async with stack.runtime.uow() as uow:
                    stored = await uow.calls.get("pbx1", linkedid)
                if stored is not None and stored.disposition_code is not None:
                    break
                await asyncio.sleep(0.1)
        assert stored.disposition_code == "order_status"
        assert stored.settled_first_contact is True
        assert stored.customer_id == stack.ids["li_wei"]
        assert page.errors == []


async def test_a_missing_disposition_choice_keeps_the_form_and_says_why(
    page: Any, sqlite_url: str
) -> None:
    async with live_stack(sqlite_url, time_scale=0.25, wait_ami=True) as stack:
        await open_desktop(page, stack, "1001")
        stack.sim.place_call(
            CALLER, "Li Wei", "8001", answer_by="1001", agent_answers_after=2, talk_s=4
        )
        form = page.locator("#disposition")
        await expect(form).to_be_visible(timeout=15_000)
        await form.locator("#dispo-note").fill("note typed before the mistake")
        await form.locator("button[type=submit]").click()  # 'settled' not chosen: browser refuses
        await expect(form).to_be_visible()
        assert await form.locator("#dispo-note").input_value() == "note typed before the mistake"
        invalid = await form.locator("input[name=settled]").first.evaluate("e => !e.validity.valid")
        assert invalid is True


async def test_desktop_recovers_after_the_backend_restarts(page: Any, sqlite_url: str) -> None:
    async with live_stack(sqlite_url, time_scale=0.25, wait_ami=True) as stack:
        await open_desktop(page, stack, "1001")
        await stack.stop()
        await expect(page.locator("#offline")).to_be_visible()
        await expect(page.locator("#conn")).to_have_text("● offline")
        await stack.start()  # a new app, same port, a new push generation
        await expect(page.locator("#offline")).to_be_hidden(timeout=20_000)
        await expect(page.locator("#conn")).to_have_text("● online")
        await asyncio.sleep(0.5)
        stack.sim.place_call(
            CALLER, "Li Wei", "8001", answer_by="1001", agent_answers_after=8, talk_s=4
        )
        await expect(page.locator("#record [data-testid=customer-name]")).to_have_text("Li Wei")
        assert page.errors == []
