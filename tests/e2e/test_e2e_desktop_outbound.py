"""Click-to-dial gets the inbound call's card: number, timer, customer record and wrap-up."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect
from test_e2e_desktop import open_desktop
from test_e2e_desktop_actions import add_customer

from callcenter.sim.pstn import Dialled
from support.livestack import live_stack

NUMBER = "+8613912345678"


async def test_click_to_dial_shows_the_call_card_record_and_wrap_up(
    page: Any, sqlite_url: str
) -> None:
    async with live_stack(sqlite_url, time_scale=0.25, wait_ami=True) as stack:
        await add_customer(stack, "Ma Jianguo", NUMBER)
        # the customer answers after 4 s and talks for 24 s (simulated seconds)
        answers = Dialled("answer", ring_s=4.0, talk_s=24.0)
        for form in (NUMBER, NUMBER.removeprefix("+86"), "0" + NUMBER.removeprefix("+86")):
            stack.sim.pstn.numbers[form] = answers
        await open_desktop(page, stack, "1001")
        await page.fill("#search-q", "Ma Jianguo")
        await page.click("#search-form button")
        await page.locator("#search-results .result", has_text="Ma Jianguo").click()
        await page.locator("#record button", has_text="Call back").click()
        await expect(page.locator("#notice")).to_contain_text("Dialling Ma Jianguo")

        card = page.locator("#call-card")
        await expect(card.locator("[data-testid=call-phase]")).to_have_text(
            "Connected", timeout=15_000
        )
        await expect(card.locator("[data-testid=call-direction]")).to_have_text("Outbound call")
        await expect(card.locator(".number")).to_have_text(NUMBER)
        await expect(card.locator(".caller-id")).to_have_text("Ma Jianguo")
        await expect(card.locator(".timer")).to_be_visible()
        await expect(page.locator("#record [data-testid=customer-name]")).to_have_text("Ma Jianguo")
        form = page.locator("#disposition")
        await expect(form).to_be_visible(timeout=20_000)
        await expect(page.locator("#dispo-about")).to_contain_text("Ma Jianguo")
        await expect(card.locator("[data-testid=call-phase]")).to_have_text("Call ended")
        assert page.errors == []
