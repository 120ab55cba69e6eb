"""The desktop's work groups: the agent logs in to them with the toggle and an item waiting in
the group is offered at once; logging out takes the open offer back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from playwright.async_api import expect
from test_e2e_desktop import open_desktop
from test_e2e_wallboard import open_wallboard
from test_work_offers import seed_letters

from callcenter.domain.work_items import Sender
from callcenter.services.work_requests import Intake
from support.livestack import live_stack


async def test_the_work_groups_toggle_logs_in_and_an_offer_arrives(
    page: Any, sqlite_url: str
) -> None:
    await seed_letters(sqlite_url)
    # only a work login counts here: the agents sit in the letters voice queue, not its work
    async with live_stack(
        sqlite_url, wait_ami=True, work_offer_timeout_s=60.0, work_login_follows_queues=False
    ) as stack:
        await open_desktop(page, stack, "1007")
        box, work = page.locator("#work-groups"), page.locator("#work")
        await expect(box).to_contain_text("Work groups")
        await expect(box.get_by_test_id("work-groups-status")).to_contain_text(
            "Logged out of every work group"
        )
        assert stack.runtime.work_items is not None
        intake = Intake(
            kind="letter",
            subject="reader asks about volume 2",
            body="",
            sender=Sender(member_no="M0000001"),
            group="letters",
        )
        filed = await stack.runtime.work_items.submit(intake, actor="post", now=datetime.now(UTC))
        await page.wait_for_timeout(1000)
        await expect(work).to_contain_text("No work items.")  # waiting: nobody is logged in

        toggle = box.get_by_test_id("work-groups-toggle")
        await expect(toggle).to_have_text("Log in to work groups")
        await toggle.click()
        card = work.locator(f"[data-item='{filed.id}']")
        await expect(card).to_contain_text("Letter", timeout=5_000)
        await expect(card.get_by_role("button", name="Accept")).to_be_visible()
        await expect(box.get_by_test_id("work-groups-status")).to_contain_text("Taking work items")
        await expect(box.locator("[data-group='letters'] input")).to_be_checked()

        board = await page.context.new_page()  # the supervisor sees who takes which work
        await open_wallboard(board, stack)
        tile = board.locator(".agent-card[data-agent='1007']")
        await expect(tile.get_by_test_id("agent-work")).to_have_text("Work: Letters")
        await expect(
            board.locator(".agent-card[data-agent='1008'] [data-testid=agent-work]")
        ).to_have_count(0)
        await board.close()

        await expect(toggle).to_have_text("Log out of work groups")
        await toggle.click()
        await expect(card).to_have_count(0)
        await expect(page.locator("#notice")).to_contain_text(
            f"Logged out of the work group: item #{filed.id} went to the next agent"
        )
        await expect(box.locator("[data-group='letters'] input")).not_to_be_checked()
        await expect(box.get_by_test_id("work-groups-status")).to_contain_text(
            "Logged out of every work group"
        )
        assert page.errors == []
