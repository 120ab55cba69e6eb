"""The desktop's work tab: an offered item with its countdown, accept / reject, complete."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from playwright.async_api import expect
from sqlalchemy import text
from test_e2e_desktop import open_desktop
from test_work_offers import seed_letters

from callcenter.domain.work_items import Sender
from callcenter.services.work_requests import Intake
from support.livestack import live_stack


async def test_the_work_tab_offers_accepts_rejects_and_completes(
    page: Any, sqlite_url: str
) -> None:
    await seed_letters(sqlite_url)
    async with live_stack(sqlite_url, wait_ami=True, work_offer_timeout_s=60.0) as stack:
        await open_desktop(page, stack, "1007")
        work = page.locator("#work")
        await expect(work).to_contain_text("No work items.")
        items = []
        assert stack.runtime.work_items is not None
        for subject in ("reader asks about volume 2", "change of address"):
            intake = Intake(
                kind="letter",
                subject=subject,
                body="",
                sender=Sender(member_no="M0000001"),  # Li Wei
                group="letters",
            )
            now = datetime.now(UTC)
            filed = await stack.runtime.work_items.submit(intake, actor="post", now=now)
            items.append(filed.id)

        first = work.locator(f"[data-item='{items[0]}']")
        await expect(first).to_contain_text("Letter", timeout=10_000)
        await expect(first).to_contain_text("Li Wei")  # the customer's record
        await expect(first).to_contain_text("M0000001")
        await expect(first.locator("[data-testid=work-countdown]")).to_contain_text(
            "left to accept"
        )
        await first.get_by_role("button", name="Reject").click()
        await expect(first).to_have_count(0)
        await expect(page.locator("#notice")).to_contain_text(f"Rejected item #{items[0]}")

        second = work.locator(f"[data-item='{items[1]}']")
        await second.get_by_role("button", name="Accept").click()
        await expect(second.locator("[data-testid=work-status]")).to_have_text("In hand")
        await second.get_by_role("button", name="Complete").click()
        await expect(page.locator("#notice")).to_contain_text("Choose a disposition first.")
        await second.get_by_label("Disposition").select_option("address_change")
        await second.get_by_role("button", name="Complete").click()
        await expect(second).to_have_count(0)
        await expect(page.locator("#notice")).to_contain_text(f"Item #{items[1]} done")

        async with stack.runtime.uow() as uow:
            rows = await uow.session.execute(
                text(
                    "SELECT w.id, w.status, o.agent, w.disposition_code FROM work_items w "
                    "JOIN work_offers o ON o.item_id = w.id ORDER BY w.id"
                )
            )
            got = [tuple(r) for r in rows]
        # the rejected letter went on to the other letters agent; the accepted one is done
        assert got == [
            (items[0], "offered", "1008", None),
            (items[1], "done", "1007", "address_change"),
        ]
        assert page.errors == []
