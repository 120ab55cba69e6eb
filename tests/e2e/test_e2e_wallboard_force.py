"""From the wallboard a supervisor pauses or logs out an agent; the reason lands in the audit."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect
from test_e2e_wallboard import open_wallboard

from support.livestack import live_stack


async def test_supervisor_pauses_and_logs_out_agents_with_the_reason_audited(
    page: Any, sqlite_url: str
) -> None:
    async with live_stack(sqlite_url, time_scale=0.25, wait_ami=True) as stack:
        await open_wallboard(page, stack)
        wang = page.locator(".agent-card[data-agent='1001']")
        await expect(wang).to_have_attribute("data-state", "available")
        await wang.locator(".force-pause").click()
        dialog = page.locator("#force-dialog")
        await expect(dialog).to_be_visible()
        await expect(dialog.locator("#force-title")).to_have_text("Pause Wang Fang (1001)")
        await dialog.locator("#force-reason").select_option("Meeting")
        await dialog.locator("#force-why").fill("team briefing at 10")
        await dialog.get_by_role("button", name="Confirm").click()
        await expect(dialog).to_be_hidden()
        await expect(wang).to_have_attribute("data-state", "paused", timeout=10_000)
        await expect(wang.locator(".agent-state")).to_contain_text("Meeting")

        zhang = page.locator(".agent-card[data-agent='1002']")
        await zhang.locator(".force-logout").click()
        await expect(dialog.locator("#force-reason")).to_be_hidden()
        await dialog.locator("#force-why").fill("sent home sick")
        await dialog.get_by_role("button", name="Confirm").click()
        await expect(zhang).to_have_attribute("data-state", "logged_out", timeout=10_000)
        await expect(page.locator("#wb-supervise-error")).to_have_text("Zhang Wei is logged out.")
        await expect(zhang.locator(".force-logout")).to_have_count(0)

        assert stack.runtime.audit is not None
        rows = await stack.runtime.audit.recent(kind="agent_control")
        by_agent = {r.agent_code: r for r in rows}
        assert by_agent["1001"].detail == "force pause (Meeting): team briefing at 10"
        assert by_agent["1002"].detail.startswith("force logout of member-hotline")
        assert by_agent["1002"].detail.endswith(": sent home sick")
        assert all(r.actor.startswith("supervisor (token ") for r in rows)
        assert page.errors == []


async def test_an_agent_may_not_force_another_agent(page: Any, sqlite_url: str) -> None:
    async with live_stack(sqlite_url, wait_ami=True) as stack:
        token = await stack.token("agent", "1002")
        headers = {"Authorization": f"Bearer {token}"}
        answer = await page.request.post(
            stack.url("/api/agents/1001/force-logout"), headers=headers, data={}
        )
        assert answer.status == 403
        wrong = await page.request.post(
            stack.url("/api/agents/1001/force-pause"),
            headers={"Authorization": f"Bearer {await stack.token('supervisor')}"},
            data={"reason": "Nap"},
        )
        assert wrong.status == 422 and "reason" in await wrong.text()
        assert stack.runtime.presence.get("1001") is not None
        assert stack.runtime.presence.get("1001").state == "available"  # type: ignore[union-attr]
