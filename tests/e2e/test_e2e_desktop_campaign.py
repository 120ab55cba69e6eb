"""Campaign calls on the desktop in headless Chromium against the live backend and the simulated
Asterisk: the campaign login (the running campaigns of the agent's groups), preview mode (next,
skip, dial, then the sale) and a progressive campaign's connected call popping the script and
offer with the campaign's disposition form."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.async_api import expect
from test_e2e_desktop import open_desktop

from callcenter.sim.pstn import Dialled
from support.livestack import LiveStack, live_stack

LI_WEI = "+8613800138000"
SUN_LI = "+8613800138011"
SCRIPT = "Good morning, this is the Book Club. Our winter catalogue is out."
OFFER = "-20 % on the winter box"


async def start_campaign(
    stack: LiveStack,
    mode: str,
    group: str = "telemarketing",
    *,
    sun_li: bool = False,
    name: str = "Winter catalogue",
) -> int:
    """A running campaign of the senior members: Li Wei (seeded) and, if asked, Sun Li."""
    sup = {"Authorization": f"Bearer {await stack.token('supervisor')}"}
    async with httpx.AsyncClient(base_url=stack.url(""), headers=sup, timeout=20) as client:
        if sun_li:
            customer = {"name": "Sun Li", "segment": "senior", "phones": ["13800138011"]}
            assert (await client.post("/api/customers", json=customer)).status_code == 201
        body = {
            "name": name,
            "segment": "senior_members",
            "mode": mode,
            "group": group,
            "script": SCRIPT,
            "offer": OFFER,
            "window": {"start": "00:00", "end": "23:59:59"},
        }
        made = await client.post("/api/campaigns", json=body)
        assert made.status_code == 201, made.text
        cid = int(made.json()["id"])
        started = await client.post(f"/api/campaigns/{cid}/start")
        assert started.status_code == 200, started.text
        return cid


async def sell(page: Any, title: str, price: str) -> None:
    """Choose "Sale" in the campaign's form, fill one item and save."""
    form = page.locator("#campaign-dispo")
    await form.locator("[data-testid=cp-code]").select_option("sale")
    item = form.locator("[data-testid=cp-item]").first
    await item.locator("[name=title]").fill(title)
    await item.locator("[name=unit_price]").fill(price)
    await form.locator("button[type=submit]").click()


async def test_the_campaign_login_offers_the_running_campaigns_of_the_agents_groups(
    page: Any, sqlite_url: str
) -> None:
    """Figure: a running preview campaign of member-hotline and one of telemarketing -> Wang Fang
    (member-hotline) is offered the first only, in English and in Chinese; a second hotline
    campaign started meanwhile appears on Refresh; joining it shows its first record."""
    async with live_stack(sqlite_url, wait_ami=True) as stack:
        first = await start_campaign(stack, "preview", group="member-hotline")
        await start_campaign(stack, "preview", name="Distributors")  # telemarketing
        await open_desktop(page, stack, "1001")
        box = page.locator("#campaign-preview")
        choice = box.locator("[data-testid=campaign-choice]")
        await expect(choice.locator("option")).to_have_text(
            ["Winter catalogue · member-hotline · preview"]
        )
        await page.locator("header .lang-switch").select_option("zh-CN")
        await expect(box.locator("h2")).to_have_text("加入外呼活动")
        await expect(choice.locator("option")).to_have_text(
            ["Winter catalogue · member-hotline · 预览式"]
        )
        await page.locator("header .lang-switch").select_option("en")

        second = await start_campaign(stack, "preview", group="member-hotline", name="Lapsing")
        await box.locator("[data-testid=campaign-list-refresh]").click()
        await expect(choice.locator("option")).to_have_count(2)
        assert await choice.locator("option").evaluate_all("o => o.map(x => x.value)") == [
            str(first),
            str(second),
        ]
        await choice.select_option(str(second))
        await box.locator("[data-testid=preview-next]").click()
        held = box.locator("[data-testid=preview-record]")
        await expect(held.locator("[data-testid=preview-name]")).to_have_text("Li Wei")
        stored = await page.evaluate("localStorage.getItem('callcenter.preview_campaign')")
        assert stored == str(second)
        assert page.errors == []


async def test_preview_shows_the_record_skips_dials_and_records_a_sale(
    page: Any, sqlite_url: str
) -> None:
    async with live_stack(sqlite_url, wait_ami=True) as stack:
        cid = await start_campaign(stack, "preview", group="member-hotline", sun_li=True)
        await open_desktop(page, stack, "1001")
        box = page.locator("#campaign-preview")
        await box.locator("[data-testid=campaign-choice]").select_option(str(cid))
        await box.locator("[data-testid=preview-next]").click()
        held = box.locator("[data-testid=preview-record]")
        await expect(held).to_contain_text(SCRIPT)
        first = await held.locator("[data-testid=preview-name]").inner_text()
        assert first in ("Li Wei", "Sun Li")
        await held.locator("[data-testid=preview-skip]").click()
        other = "Sun Li" if first == "Li Wei" else "Li Wei"
        await expect(held.locator("[data-testid=preview-name]")).to_have_text(other)

        await held.locator("[data-testid=preview-dial]").click()
        await expect(held.locator("[data-testid=preview-dialling]")).to_be_visible()
        await expect(held.locator("[data-testid=preview-dial]")).to_be_disabled()
        card = page.locator("#campaign")
        await expect(card.locator("[data-testid=campaign-script]")).to_have_text(SCRIPT)
        await expect(card.locator("[data-testid=campaign-offer]")).to_have_text(OFFER)
        await expect(card.locator("[data-testid=campaign-who]")).to_contain_text(other)

        # a call back in the past is refused by the server, naming the field
        await card.locator("[data-testid=cp-code]").select_option("callback")
        await card.locator("[name=callback_at]").fill("2001-01-01T09:00")
        await card.locator("button[type=submit]").click()
        await expect(card.locator("[data-testid=cp-error]")).to_contain_text("callback_at")
        await sell(page, "Winter catalogue box", "88.00")
        await expect(card.locator("[data-testid=campaign-closed]")).to_contain_text(
            "Sale recorded, order"
        )
        # the first record was skipped a moment ago: nothing else is due now
        await expect(box.locator("[data-testid=preview-none]")).to_be_visible()
        figures = (await _figures(stack, cid))["sales"]
        assert figures == 1
        assert page.errors == []


async def test_a_connected_progressive_call_pops_the_script_and_takes_a_sale(
    page: Any, sqlite_url: str
) -> None:
    async with live_stack(sqlite_url, time_scale=0.25, wait_ami=True) as stack:
        answers = Dialled("answer", ring_s=2.0, talk_s=60.0)
        for form in (LI_WEI, LI_WEI.removeprefix("+86"), "0" + LI_WEI.removeprefix("+86")):
            stack.sim.pstn.numbers[form] = answers
        stack.sim.answer_delay_s = 0.2  # agents pick up well within the 2 s of the abandon rule
        for ext in ("1002", "1003"):  # Wang Fang (1001) is the hotline's one free agent
            stack.sim.model.queues["member-hotline"].members[f"Local/{ext}@agents/n"].paused = True
        await open_desktop(page, stack, "1001")
        cid = await start_campaign(stack, "progressive", group="member-hotline")
        card = page.locator("#campaign")
        await expect(card.locator("[data-testid=campaign-script]")).to_have_text(
            SCRIPT, timeout=30_000
        )
        await expect(card.locator("[data-testid=campaign-offer]")).to_have_text(OFFER)
        await expect(card.locator("[data-testid=campaign-name]")).to_have_text("Winter catalogue")
        await expect(card.locator("[data-testid=campaign-who]")).to_contain_text(LI_WEI)
        await expect(page.locator("#call-card [data-testid=call-phase]")).to_have_text(
            "Connected", timeout=20_000
        )
        await sell(page, "Winter catalogue box", "88.00")
        await expect(card.locator("[data-testid=campaign-closed]")).to_contain_text(
            "Sale recorded, order"
        )
        assert (await _figures(stack, cid))["sales"] == 1
        assert page.errors == []


async def _figures(stack: LiveStack, cid: int) -> dict[str, Any]:
    sup = {"Authorization": f"Bearer {await stack.token('supervisor')}"}
    async with httpx.AsyncClient(base_url=stack.url(""), headers=sup) as client:
        got: dict[str, Any] = (await client.get(f"/api/campaigns/{cid}")).json()
        return got
