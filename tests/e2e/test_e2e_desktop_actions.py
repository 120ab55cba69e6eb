"""Desktop actions in the browser: shared numbers, withheld callers, state, complaints, dial-out."""

from __future__ import annotations

from datetime import date
from typing import Any

from playwright.async_api import expect
from test_e2e_desktop import open_desktop

from callcenter.domain.customers.records import NewCustomer, PhoneInput
from support.livestack import LiveStack, live_stack

SWITCHBOARD = "+861062751234"


async def add_customer(stack: LiveStack, name: str, phone: str, **extra: Any) -> int:
    """One more customer with this phone number."""
    async with stack.runtime.uow() as uow:
        new_id = await uow.customers.add(
            customer=NewCustomer(
                member_number=f"M{abs(hash(name)) % 10**7:07d}",
                name=name,
                member_since=date(2024, 1, 1),
                phones=(PhoneInput(raw=phone, e164=phone, is_primary=True),),
                **extra,
            )
        )
        await uow.commit()
    return new_id


async def test_shared_number_offers_candidates_and_picking_loads_the_record(
    page: Any, sqlite_url: str
) -> None:
    async with live_stack(sqlite_url, time_scale=0.25, wait_ami=True) as stack:
        await add_customer(stack, "北大书店", SWITCHBOARD, roles=("distributor",))
        await add_customer(stack, "Ma Jianguo", SWITCHBOARD)
        await open_desktop(page, stack, "1001")
        stack.sim.place_call(
            SWITCHBOARD, None, "8001", answer_by="1001", agent_answers_after=30, talk_s=5
        )
        card = page.locator("#call-card")
        await expect(card).to_contain_text("Several customers share this number")
        await expect(page.locator("#record")).to_be_hidden()
        await card.locator(".candidate", has_text="Ma Jianguo").click()
        await expect(page.locator("#record [data-testid=customer-name]")).to_have_text("Ma Jianguo")
        await card.locator(".candidate", has_text="北大书店").click()
        await expect(page.locator("#record [data-testid=customer-name]")).to_have_text("北大书店")
        assert page.errors == []


async def test_withheld_and_unknown_callers_are_named_as_such(page: Any, sqlite_url: str) -> None:
    async with live_stack(sqlite_url, time_scale=0.25, wait_ami=True) as stack:
        await open_desktop(page, stack, "1001")
        # short answered calls: the card keeps saying who called after the call ended
        stack.sim.place_call(None, None, "8001", answer_by="1001", agent_answers_after=2, talk_s=2)
        await expect(page.locator("#call-card")).to_contain_text("Withheld number")
        await stack.settled()
        stack.sim.place_call(
            "+8613011112222", "ZHANG SAN", "8001", answer_by="1001", agent_answers_after=2, talk_s=2
        )
        # rrmemory rings the other hotline agents first this time; they let it ring
        await expect(page.locator("#call-card")).to_contain_text("Unknown caller", timeout=30_000)
        await expect(page.locator("#call-card")).to_contain_text("ZHANG SAN")
        await page.locator("#call-card button", has_text="Search this number").click()
        await expect(page.locator("#search-results")).to_contain_text("No customer found.")


async def test_pause_with_a_reason_then_resume(page: Any, sqlite_url: str) -> None:
    async with live_stack(sqlite_url, wait_ami=True) as stack:
        await open_desktop(page, stack, "1001")
        pill = page.locator("#state-pill")
        await expect(pill).to_have_attribute("data-state", "available")
        await page.select_option("#pause-reason", "Training")
        await page.click("#btn-pause")
        await expect(pill).to_have_attribute("data-state", "paused")
        await expect(page.locator("#state-detail")).to_contain_text("Training")
        await expect(page.locator("#btn-available")).to_have_text("Resume")
        await page.click("#btn-available")
        await expect(pill).to_have_attribute("data-state", "available")


async def test_complaint_opened_and_escalated_from_a_searched_record(
    page: Any, sqlite_url: str
) -> None:
    async with live_stack(sqlite_url, wait_ami=True) as stack:
        await open_desktop(page, stack, "1001")
        await page.fill("#search-q", "Li Wei")
        await page.click("#search-form button")
        await page.locator("#search-results .result", has_text="Li Wei").click()
        record = page.locator("#record")
        await expect(record.locator("[data-testid=customer-name]")).to_have_text("Li Wei")
        await record.locator("button", has_text="New complaint").click()
        form = page.locator("#complaint-form")
        await form.locator("select[name=category]").select_option("delivery")
        await form.locator("input[name=subject]").fill("Parcel BK-2026-0042 not arrived")
        await form.locator("button[type=submit]").click()
        await expect(form).to_be_hidden()
        item = record.locator(".complaints li", has_text="Parcel BK-2026-0042 not arrived")
        await expect(item).to_contain_text("hotline")
        await item.locator("button", has_text="Escalate").click()
        await expect(item).to_contain_text("editor")
        async with stack.runtime.uow() as uow:
            rows = await uow.complaints.open_for_customer(customer_id=stack.ids["li_wei"])
        assert [(c.subject, c.escalation_level) for c in rows] == [
            ("Parcel BK-2026-0042 not arrived", "editor")
        ]


async def test_dialling_a_do_not_call_customer_shows_the_refusal(
    page: Any, sqlite_url: str
) -> None:
    async with live_stack(sqlite_url, wait_ami=True) as stack:
        await add_customer(stack, "Qian Hong", "+8613812345678", do_not_call=True)
        await open_desktop(page, stack, "1001")
        await page.fill("#search-q", "Qian")
        await page.click("#search-form button")
        await page.locator("#search-results .result", has_text="Qian Hong").click()
        record = page.locator("#record")
        await expect(record.locator(".badge.dnc")).to_have_text("Do not call")
        await record.locator("button", has_text="Call back").click()
        await expect(page.locator("#notice")).to_contain_text("Call refused")
        assert not [c for c in stack.sim.calls.values()]  # nothing was dialled
