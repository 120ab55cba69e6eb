"""The work tab's Transfer: an agent sends an offered slip to another group with a note; an item
a supervisor takes away leaves the agent's tab with a notice."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from playwright.async_api import expect
from test_e2e_desktop import open_desktop
from test_work_offers import seed_letters
from test_work_transfer import seed_finance

from callcenter.domain.work_items import Sender
from callcenter.services.work_requests import Intake
from support.livestack import LiveStack, live_stack


async def file_slip(stack: LiveStack, kind: str) -> int:
    assert stack.runtime.work_items is not None
    intake = Intake(
        kind=kind,
        subject="a slip for volume 2",
        body="",
        sender=Sender(member_no="M0000001"),  # Li Wei
        group="letters",
    )
    filed = await stack.runtime.work_items.submit(intake, actor="post", now=datetime.now(UTC))
    return filed.id


async def group_names(stack: LiveStack) -> dict[str, str]:
    async with stack.runtime.uow() as uow:
        return {g.slug: g.name for g in await uow.groups.list_all()}


async def test_the_work_tab_transfers_an_item_to_another_group(page: Any, sqlite_url: str) -> None:
    await seed_letters(sqlite_url)
    await seed_finance(sqlite_url)
    async with live_stack(sqlite_url, wait_ami=True, work_offer_timeout_s=60.0) as stack:
        names = await group_names(stack)
        await open_desktop(page, stack, "1007")
        work = page.locator("#work")
        slip = await file_slip(stack, "remittance_slip")
        card = work.locator(f"[data-item='{slip}']")
        await expect(card).to_contain_text("Remittance slip", timeout=10_000)
        await expect(card).to_contain_text(names["letters"])

        picker = card.get_by_label("Transfer to group")
        await expect(picker.locator("option[value='letters']")).to_have_count(0)  # not its own
        await card.get_by_role("button", name="Transfer").click()
        await expect(page.locator("#notice")).to_contain_text("Choose the group to send it to")
        await picker.select_option("finance")
        await card.get_by_label("Note for that group (optional)").fill("pays order 7")
        await card.get_by_role("button", name="Transfer").click()
        await expect(card).to_have_count(0)
        await expect(page.locator("#notice")).to_contain_text(
            f"Item #{slip} sent to {names['finance']}"
        )

        async with httpx.AsyncClient(base_url=stack.url(""), timeout=10) as http:
            boss = {"Authorization": f"Bearer {await stack.token('supervisor')}"}
            got = (await http.get(f"/api/work-items/{slip}", headers=boss)).json()
            assert got["group"] == "finance" and got["status"] in ("new", "offered")
            move = [e for e in got["events"] if e["kind"] == "transfer"]
            assert [(m["actor"], m["to_group"], m["note"]) for m in move] == [
                ("agent 1007", "finance", "pays order 7")
            ]

            letter = await file_slip(stack, "letter")
            held = work.locator(f"[data-item='{letter}']")
            await held.get_by_role("button", name="Accept").click()
            await expect(held.locator("[data-testid=work-status]")).to_have_text("In hand")
            taken = await http.post(
                f"/api/work-items/{letter}/transfer",
                json={"group": "documents"},
                headers=boss,
            )
            assert taken.status_code == 200, taken.text
        await expect(held).to_have_count(0)
        await expect(page.locator("#notice")).to_contain_text(
            f"Item #{letter} was moved to {names['documents']}"
        )
        assert page.errors == []
