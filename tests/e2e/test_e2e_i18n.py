"""The pages speak Chinese by default and English on request, per user, with locale formats."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.async_api import expect

from callcenter.adapters.db.engine import make_engine, make_session_factory
from callcenter.adapters.db.uow import SqlUnitOfWork
from callcenter.domain.records import CallRecord
from support.livestack import LiveStack, live_stack


@pytest.fixture
async def zh_page(browser: Any) -> AsyncIterator[Any]:
    """A page with no language chosen yet (the `page` fixture picks English)."""
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    try:
        yield page
    finally:
        await context.close()


async def test_desktop_is_chinese_first_and_remembers_english(
    zh_page: Any, sqlite_url: str
) -> None:
    page = zh_page
    async with live_stack(sqlite_url, wait_ami=True) as stack:
        token = await stack.token("agent", "1001")
        await page.goto(stack.url(f"/desktop#token={token}"))
        await expect(page.locator("#app")).to_be_visible()
        assert await page.evaluate("document.documentElement.lang") == "zh-CN"
        await expect(page.locator("#conn")).to_have_text("● 在线")
        await expect(page.locator("#btn-signout")).to_have_text("退出")
        await expect(page.locator("#call-card .call-idle")).to_contain_text("暂无来电")
        search = page.locator("#search-q")
        await expect(search).to_have_attribute("placeholder", "姓名、会员号或电话")
        await expect(page.locator("#pause-reason option").first).to_have_text("午休")
        await page.fill("#search-q", "Li Wei")
        await page.click("#search-form button[type=submit]")
        await page.locator("#search-results button").first.click()
        facts = page.locator("#record .facts")
        await expect(facts).to_contain_text("入会日期")
        await expect(facts).to_contain_text("2019年5月1日")  # Intl, zh-CN

        await page.locator("header .lang-switch").select_option("en")
        assert await page.evaluate("document.documentElement.lang") == "en"
        await expect(page.locator("#btn-signout")).to_have_text("Sign out")
        await expect(page.locator("#conn")).to_have_text("● online")
        await expect(facts).to_contain_text("Member since")
        await expect(facts).to_contain_text("May 1, 2019")
        await expect(page.locator("#pause-reason option").first).to_have_text("Lunch break")
        assert await page.locator("#pause-reason").input_value() == "Lunch break"

        await page.reload()  # the choice is this user's, kept across visits
        await expect(page.locator("#app")).to_be_visible()
        await expect(page.locator("#btn-signout")).to_have_text("Sign out")
        await expect(page.locator("#call-card .call-idle")).to_contain_text("No call")
        assert await page.evaluate("localStorage.getItem('callcenter.lang')") == "en"
        assert page.errors == []


def answered(linkedid: str, settled: bool) -> CallRecord:
    started = datetime.now(UTC) - timedelta(minutes=3)
    return CallRecord(
        pbx="pbx1",
        linkedid=linkedid,
        direction="inbound",
        caller="+8613800138000",
        caller_name=None,
        queues=("member-hotline",),
        agent="1001",
        outcome="answered",
        wait_s=3,
        talk_s=1234,
        ring_attempts=1,
        transferred=False,
        started_at=started,
        ended_at=started + timedelta(minutes=1),
        disposition_code="order_status",
        settled_first_contact=settled,
    )


async def test_wallboard_names_groups_in_both_languages_and_shows_fcr(
    zh_page: Any, sqlite_url: str
) -> None:
    page = zh_page
    engine = make_engine(sqlite_url)
    try:
        async with SqlUnitOfWork(make_session_factory(engine)) as uow:
            for n, settled in enumerate([True, True, True, False]):
                await uow.calls.add(answered(f"done-{n}", settled))
            await uow.commit()
    finally:
        await engine.dispose()
    async with live_stack(sqlite_url, wait_ami=True) as stack:
        await open_board(page, stack)
        tile = page.locator(".tile[data-group=member-hotline]")
        await expect(tile.locator("h3")).to_have_text("书友热线组")
        await expect(tile.locator(".tile-head .zh")).to_have_text("Member hotline")
        fcr = tile.locator("[data-testid=fcr]")
        await expect(fcr.locator(".stat-name")).to_have_text("首次解决率")
        await expect(fcr.locator(".stat-value")).to_have_text("75%")
        day = await page.locator("#wb-day").get_attribute("data-day")
        assert day
        await expect(page.locator("#wb-day")).to_contain_text(f"{int(day[:4])}年")

        await page.locator("header .lang-switch").select_option("en")
        await expect(tile.locator("h3")).to_have_text("Member hotline")
        await expect(tile.locator(".tile-head .zh")).to_have_text("书友热线组")
        await expect(fcr.locator(".stat-name")).to_have_text("FCR")
        await expect(fcr.locator(".stat-value")).to_have_text("75%")
        await expect(page.locator("#conn")).to_have_text("● live")
        assert "年" not in (await page.locator("#wb-day").inner_text())
        assert page.errors == []


async def open_board(page: Any, stack: LiveStack) -> None:
    token = await stack.token("supervisor")
    await page.goto(stack.url(f"/wallboard#token={token}"))
    await expect(page.locator(".tile[data-group=member-hotline]")).to_be_visible()
    await asyncio.sleep(0.2)
