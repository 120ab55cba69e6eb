"""On the wallboard a supervisor scores a finished call and sees the calibration against a
second supervisor's score of the same call."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.async_api import expect
from test_e2e_wallboard import open_wallboard

from callcenter.domain.access.auth import Principal
from callcenter.domain.calls.records import CallRecord
from callcenter.domain.quality.scorecards import Criterion
from support.livestack import LiveStack, live_stack

CRITERIA = [
    Criterion("greeting", "Greeting", 10),
    Criterion("resolution", "Resolution", 60),
    Criterion("compliance", "Compliance", 30),
]


async def finished_call(stack: LiveStack, linkedid: str) -> None:
    """A stored hotline call answered by agent 1001."""
    t0 = datetime.now(UTC) - timedelta(minutes=10)
    async with stack.runtime.uow() as uow:
        agent = await uow.agents.get_by_code(code="1001")
        assert agent is not None
        await uow.calls.add(
            CallRecord(
                pbx="pbx1",
                linkedid=linkedid,
                direction="inbound",
                caller="+8613800138000",
                caller_name="Li Wei",
                queues=("member-hotline",),
                agent=agent.name,
                outcome="answered",
                wait_s=4.0,
                talk_s=120.0,
                ring_attempts=1,
                transferred=False,
                started_at=t0,
                answered_at=t0 + timedelta(seconds=4),
                ended_at=t0 + timedelta(seconds=124),
                agent_id=agent.id,
            )
        )
        await uow.commit()


async def test_a_supervisor_scores_a_call_and_compares_with_a_colleague(
    page: Any, sqlite_url: str
) -> None:
    async with live_stack(sqlite_url, time_scale=0.25, wait_ami=True) as stack:
        quality = stack.runtime.quality
        assert quality is not None
        card = await quality.create_scorecard(
            group_slug="member-hotline", name="Hotline", scale=5, criteria=CRITERIA,
            by=Principal("admin"),
        )  # fmt: skip
        await finished_call(stack, "1796300000.7")
        await open_wallboard(page, stack)

        panel = page.locator("#quality")
        await expect(panel.locator("#qa-card option")).to_have_text(["member-hotline · Hotline"])
        await panel.locator("#qa-linkedid").fill("1796300000.7")
        ratings = {"greeting": 5, "resolution": 4, "compliance": 5}
        for key, value in ratings.items():
            await panel.locator(f".qa-criterion input[data-key={key}]").fill(str(value))
        await panel.locator("#qa-comment").fill("solved in one call")
        await panel.locator("#qa-submit").click()
        expected = round(100 * sum(c.weight * ratings[c.key] for c in CRITERIA) / (5 * 100), 1)
        await expect(panel.locator("#qa-message")).to_have_text(f"Scored {expected} (agent 1001)")

        # A second supervisor scores the same call apart on resolution.
        other = Principal("supervisor", token_id=999)
        await quality.score_call(
            pbx="pbx1", linkedid="1796300000.7", scorecard_id=card.id or 0,
            ratings={**ratings, "resolution": 1}, comment=None, by=other,
        )  # fmt: skip
        await panel.locator("#qa-calibrate").click()
        table = panel.locator("#qa-calibration")
        await expect(table.locator("tr[data-key=resolution] [data-testid=spread]")).to_have_text(
            "3"
        )
        await expect(table.locator("tr[data-key=greeting] [data-testid=spread]")).to_have_text("0")
        await expect(table.locator("tr.qa-apart")).to_have_count(1)  # resolution only
        await expect(table.locator("th")).to_contain_text(["supervisor (token 999)"])

        # Scoring the same call twice is refused, and the page says why.
        await panel.locator("#qa-submit").click()
        await expect(panel.locator("#qa-message")).to_contain_text("already taken")
        await expect(panel.locator("#qa-message")).to_have_class("error")

        await page.locator("#app .lang-switch").select_option("zh-CN")
        await expect(panel.locator("h2")).to_have_text("质检评分")
        await expect(panel.locator("#qa-submit")).to_have_text("提交评分")
        assert page.errors == []
