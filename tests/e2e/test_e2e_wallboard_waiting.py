"""The wallboard's list of callers waiting now: group, wait, segment and priority, live."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playwright.async_api import expect
from test_e2e_wallboard import open_wallboard

from support.faults import open_all_day_rules
from support.livestack import live_stack

LI_WEI = "+8613800138000"  # the seeded senior member
STRANGER = "+8613911112222"  # nobody in the database


async def test_waiting_callers_are_listed_with_group_wait_segment_and_priority(
    page: Any, sqlite_url: str, tmp_path: Path
) -> None:
    rules = open_all_day_rules(tmp_path, overflow_after_s=3600)  # they stay where they queue
    async with live_stack(
        sqlite_url, time_scale=0.25, wait_ami=True, agi=True, routing_file=rules
    ) as stack:
        await open_wallboard(page, stack)
        listing = page.locator("[data-testid=waiting-list]")
        await expect(listing).to_contain_text("Nobody is waiting.")
        expected = {}
        for number in (LI_WEI, STRANGER):
            decision = await stack.runtime.routing.route(
                caller_raw=number, did="8001", menu=None, now=datetime.now(UTC)
            )
            expected[number] = decision
            # Li Wei's route prefers a senior desk agent: he rings 1001 directly (not waiting
            # in a queue) until that ring times out, then joins the queue like the stranger.
            stack.sim.place_call(number, None, "8001", answer_by="nobody", caller_hangs_up_after=40)
        rows = listing.locator("tbody tr[data-linkedid]")
        await expect(rows).to_have_count(2, timeout=15_000)
        await expect(listing.locator("[data-testid=waiting-count]")).to_have_text(" 2")
        groups = {g["queue"]: g for g in stack.runtime.wallboard.snapshot()["groups"]}
        senior = expected[LI_WEI]
        assert senior.segment == "senior"  # the seed's Li Wei: the row must say so
        # The higher priority first; Li Wei's row shows his segment and priority.
        order = sorted(expected, key=lambda n: -expected[n].priority)
        first = rows.nth(0)
        if order[0] == LI_WEI:
            await expect(first.locator(".w-segment")).to_have_text("Senior member")
        await expect(first.locator(".w-priority")).to_have_text(str(expected[order[0]].priority))
        li_row = listing.locator("tbody tr", has_text="Senior member")
        await expect(li_row.locator(".w-priority")).to_have_text(str(senior.priority))
        await expect(li_row.locator(".w-group")).to_have_text(groups[senior.queue]["name"])
        # The wait ticks in the browser between updates.
        before = await li_row.locator(".w-wait").text_content()
        await expect(li_row.locator(".w-wait")).not_to_have_text(before or "", timeout=5_000)
        # The callers give up: the list empties.
        await expect(listing).to_contain_text("Nobody is waiting.", timeout=30_000)
        await expect(rows).to_have_count(0)
        assert page.errors == []
