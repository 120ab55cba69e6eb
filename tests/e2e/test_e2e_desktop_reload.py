"""The desktop is a view of the server: a reload at any call stage shows the same call and record,
and the wrap-up form stays with the call that ended."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect
from test_e2e_desktop import CALLER, open_desktop
from test_e2e_desktop_actions import add_customer

from support.livestack import live_stack


async def reload_desktop(page: Any) -> None:
    """Reload the page (the token stays in the tab's session) and wait until it is online."""
    await page.reload()
    await expect(page.locator("#app")).to_be_visible()
    await expect(page.locator("#conn")).to_have_text("● online")


async def test_reload_at_ringing_connected_and_wrap_up_shows_the_same_call_and_record(
    page: Any, sqlite_url: str
) -> None:
    async with live_stack(sqlite_url, time_scale=0.5, wait_ami=True) as stack:
        await open_desktop(page, stack, "1001")
        stack.sim.place_call(
            CALLER, "Li Wei", "8001", answer_by="1001", agent_answers_after=12, talk_s=16
        )
        card = page.locator("#call-card")
        phase = card.locator("[data-testid=call-phase]")
        name = page.locator("#record [data-testid=customer-name]")
        form = page.locator("#disposition")

        await expect(phase).to_have_text("Ringing")
        await expect(name).to_have_text("Li Wei")
        number = await card.locator(".number").text_content()
        assert number
        await reload_desktop(page)
        await expect(phase).to_have_text("Ringing")
        await expect(card.locator(".number")).to_have_text(number)
        await expect(card.locator(".caller-id")).to_have_text("Li Wei")
        await expect(name).to_have_text("Li Wei")
        await expect(page.locator("#record .orders tbody tr").first).to_contain_text("BK-2026-0042")

        await expect(phase).to_have_text("Connected", timeout=15_000)
        await page.wait_for_timeout(2200)
        timer_before = await card.locator(".timer").text_content()
        await reload_desktop(page)
        await expect(phase).to_have_text("Connected")
        await expect(card.locator(".number")).to_have_text(number)
        await expect(name).to_have_text("Li Wei")
        # the talk timer goes on from the answer, not from the reload
        assert timer_before is not None
        assert await card.locator(".timer").text_content() >= timer_before
        await expect(card.locator(".transfer")).to_be_visible()

        await expect(form).to_be_visible(timeout=20_000)
        await form.locator("#dispo-note").fill("typed before the reload")
        await reload_desktop(page)
        await expect(form).to_be_visible()
        await expect(page.locator("#dispo-about")).to_contain_text("Li Wei")
        await expect(phase).to_have_text("Call ended")
        await expect(card.locator(".number")).to_have_text(number)
        await expect(name).to_have_text("Li Wei")
        await expect(page.locator("[data-testid=wrapup-countdown]")).to_contain_text("Wrap-up")

        await form.locator("#dispo-code").select_option("order_status")
        await form.locator("input[name=settled][value=yes]").check()
        await form.locator("button[type=submit]").click()
        await expect(page.locator("#notice")).to_have_text("Disposition saved.")
        await reload_desktop(page)
        await expect(form).to_be_hidden()
        await expect(card).to_contain_text("No call")
        assert page.errors == []


async def test_a_new_call_during_wrap_up_leaves_the_form_and_record_with_the_ended_call(
    page: Any, sqlite_url: str
) -> None:
    async with live_stack(sqlite_url, time_scale=0.25, wait_ami=True) as stack:
        await add_customer(stack, "Ma Jianguo", "+8613912345678")
        await open_desktop(page, stack, "1001")
        stack.sim.place_call(CALLER, "Li Wei", "8001", answer_by="1001", agent_answers_after=2,
                             talk_s=4)  # fmt: skip
        form = page.locator("#disposition")
        name = page.locator("#record [data-testid=customer-name]")
        await expect(form).to_be_visible(timeout=15_000)
        await expect(name).to_have_text("Li Wei")

        stack.sim.place_call(
            "+8613912345678", "Ma", "8001", answer_by="1001", agent_answers_after=40, talk_s=4
        )
        card = page.locator("#call-card")
        # the hotline's other agents are rung first (round robin) and let it ring
        await expect(card.locator("[data-testid=call-phase]")).to_have_text(
            "Ringing", timeout=30_000
        )
        await expect(card.locator(".caller-id")).to_have_text("Ma Jianguo")
        await expect(page.locator("#notice")).to_contain_text("Ma Jianguo")
        # the open form is about Li Wei, and so is the record pane under it
        await expect(page.locator("#dispo-about")).to_contain_text("Li Wei")
        await expect(name).to_have_text("Li Wei")

        await form.locator("#dispo-code").select_option("order_status")
        await form.locator("input[name=settled][value=no]").check()
        await form.locator("button[type=submit]").click()
        await expect(form).to_be_hidden()
        await expect(name).to_have_text("Ma Jianguo")
        assert page.errors == []
