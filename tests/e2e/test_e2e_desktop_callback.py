"""A callback promised from the disposition form becomes a `callback` work item due then."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from playwright.async_api import expect
from test_e2e_desktop import CALLER, open_desktop

from support.livestack import live_stack

LOCAL_IN = """(minutes) => {
  const d = new Date(Date.now() + minutes * 60000);
  d.setSeconds(0, 0);
  const pad = (n) => String(n).padStart(2, "0");
  const day = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const local = `${day}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return [local, d.toISOString()];
}"""


def aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def test_promised_callback_is_filed_for_the_customer_at_the_chosen_time(
    page: Any, sqlite_url: str
) -> None:
    async with live_stack(sqlite_url, time_scale=0.25, wait_ami=True) as stack:
        await open_desktop(page, stack, "1001")
        stack.sim.place_call(
            CALLER, "Li Wei", "8001", answer_by="1001", agent_answers_after=1, talk_s=4
        )
        form = page.locator("#disposition")
        await expect(form).to_be_visible(timeout=15_000)
        await page.select_option("#dispo-code", index=1)
        await page.check("#disposition input[name=settled][value=no]")
        await expect(page.locator("#dispo-callback-at")).to_be_hidden()
        await page.check("#dispo-callback")

        # A time already past is refused; the form keeps everything and nothing is filed.
        past, _ = await page.evaluate(LOCAL_IN, -30)
        await page.fill("#dispo-callback-at", past)
        await page.fill("#dispo-note", "send the missing volume, then call")
        await page.click("#disposition button[type=submit]")
        await expect(page.locator("#dispo-error")).to_contain_text("must be in the future")
        await expect(form).to_be_visible()
        async with stack.runtime.uow() as uow:
            assert await uow.work_items.list_open() == []

        local, iso = await page.evaluate(LOCAL_IN, 120)
        await page.fill("#dispo-callback-at", local)
        await page.click("#disposition button[type=submit]")
        await expect(form).to_be_hidden(timeout=10_000)
        await expect(page.locator("#notice")).to_contain_text("Disposition saved")
        async with stack.runtime.uow() as uow:
            items = await uow.work_items.list_open()
        (item,) = items
        assert item.kind == "callback"
        assert item.customer_id == stack.ids["li_wei"]
        assert item.group_slug == "member-hotline"  # the queue that took the call
        assert item.caller == CALLER
        assert item.due_at is not None
        assert aware(item.due_at) == datetime.fromisoformat(iso.replace("Z", "+00:00"))
        assert "send the missing volume" in item.body  # what the agent typed, and who promised
        assert "agent 1001" in item.body
        assert page.errors == []


async def test_another_agent_may_not_promise_a_callback_on_my_call(
    page: Any, sqlite_url: str
) -> None:
    async with live_stack(sqlite_url, time_scale=0.25, wait_ami=True) as stack:
        await open_desktop(page, stack, "1001")
        linkedid = stack.sim.place_call(
            CALLER, "Li Wei", "8001", answer_by="1001", agent_answers_after=1, talk_s=3
        )
        await expect(page.locator("#disposition")).to_be_visible(timeout=15_000)
        await stack.settled()  # the call is stored: who handled it is known
        token = await stack.token("agent", "1002")
        answer = await page.request.post(
            stack.url("/api/agents/1002/callbacks"),
            headers={"Authorization": f"Bearer {token}"},
            data={"linkedid": linkedid, "due_at": "2099-01-01T10:00:00+08:00"},
        )
        assert answer.status == 403
        assert "did not handle call" in (await answer.json())["detail"]
        async with stack.runtime.uow() as uow:
            assert await uow.work_items.list_open() == []
