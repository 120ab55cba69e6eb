"""The desktop's post: log a letter, and log a remittance slip with the order it pays (a sure
match pre-chosen, several offered to pick from), in headless Chromium over the live stack."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect
from sqlalchemy import text
from test_e2e_desktop import open_desktop
from test_work_desk_log import add_unpaid_orders

from support.livestack import LiveStack, live_stack


async def stored(stack: LiveStack, kind: str) -> list[tuple[Any, ...]]:
    async with stack.runtime.uow() as uow:
        rows = await uow.session.execute(
            text(
                "SELECT w.id, w.subject, w.source, o.order_number FROM work_items w "
                "LEFT JOIN orders o ON o.id = w.order_id WHERE w.kind = :kind ORDER BY w.id"
            ),
            {"kind": kind},
        )
        return [tuple(r) for r in rows]


async def test_an_agent_logs_a_letter_and_slips_with_the_orders_they_pay(
    page: Any, sqlite_url: str
) -> None:
    async with live_stack(sqlite_url, wait_ami=True) as stack:
        await add_unpaid_orders(stack)
        await open_desktop(page, stack, "1001")
        post = page.locator("#post-log")
        await expect(post).to_contain_text("Log a letter")

        await post.get_by_role("button", name="Log a letter").click()
        letter = page.locator("#log-letter")
        await letter.get_by_role("button", name="Save the letter").click()
        await expect(letter.get_by_test_id("log-error")).to_have_text(
            "Give a member number, phone or e-mail."
        )
        await letter.get_by_label("Member number").fill("M0000001")
        await letter.get_by_label("Subject").fill("New address")
        await letter.get_by_label("Text").fill("From January: Hangzhou, West Lake Road 1.")
        await letter.get_by_role("button", name="Save the letter").click()
        await expect(page.locator("#notice")).to_contain_text("Letter logged as item #")
        await expect(letter).to_be_hidden()
        assert [(s, src) for _, s, src, _ in await stored(stack, "letter")] == [
            ("New address", "desktop")
        ]

        slip = page.locator("#log-slip")
        await post.get_by_role("button", name="Log a remittance slip").click()
        await slip.get_by_label("Member number").fill("M0000001")
        await slip.get_by_label("Amount").fill("35.00")
        await slip.get_by_role("button", name="Find the order").click()
        await expect(slip.get_by_test_id("slip-status")).to_have_text("The order it pays:")
        sure = slip.locator("[data-order='BK-2026-0102'] input")
        await expect(sure).to_be_checked()
        await slip.get_by_role("button", name="Save the slip").click()
        await expect(page.locator("#notice")).to_contain_text("paying BK-2026-0102")

        await post.get_by_role("button", name="Log a remittance slip").click()
        await slip.get_by_label("Member number").fill("M0000001")
        await slip.get_by_label("Amount").fill("59.80")
        await slip.get_by_role("button", name="Find the order").click()
        await expect(slip.get_by_test_id("slip-status")).to_contain_text("Not sure")
        await expect(slip.locator("[data-order]")).to_have_count(2)
        await slip.locator("[data-order='BK-2026-0101'] input").check()
        await slip.get_by_role("button", name="Save the slip").click()
        await expect(page.locator("#notice")).to_contain_text("paying BK-2026-0101")

        await post.get_by_role("button", name="Log a remittance slip").click()
        await slip.get_by_label("Member number").fill("M0000001")
        await slip.get_by_label("Amount").fill("-3")
        await slip.get_by_role("button", name="Save the slip").click()
        await expect(slip.get_by_test_id("log-error")).to_contain_text("amount")

        slips = await stored(stack, "remittance_slip")
        assert [order for *_, order in slips] == ["BK-2026-0102", "BK-2026-0101"]
        assert all(src == "desktop" for _, _, src, _ in slips)


async def test_the_post_forms_speak_chinese_by_default(page: Any, sqlite_url: str) -> None:
    await page.add_init_script("try { localStorage.removeItem('callcenter.lang'); } catch (e) {}")
    async with live_stack(sqlite_url, wait_ami=True) as stack:
        token = await stack.token("agent", "1001")
        await page.goto(stack.url(f"/desktop#token={token}"))
        post = page.locator("#post-log")
        await expect(post.get_by_role("button", name="登记汇款单")).to_be_visible()
        await post.get_by_role("button", name="登记汇款单").click()
        await expect(page.locator("#log-slip").get_by_label("金额")).to_be_visible()
