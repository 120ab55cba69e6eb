"""Abandoned known callers over the simulated Asterisk and the routing hook (SQLite, PostgreSQL):
a matched customer who hung up after a long wait gets one callback item, short abandons, withheld
and unknown numbers none; a later answered call makes it no longer needed, waiting or held."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from test_queue_callbacks import LI_WEI, STRANGER, floor, owed_items, pause, spy_originates
from test_work_offers import auth

from support.livestack import LiveStack


async def test_an_abandoned_known_caller_past_the_threshold_gets_one_callback_until_reached(
    database_url: str, tmp_path: Path
) -> None:
    async with floor(
        database_url,
        tmp_path,
        callback_abandoned=True,
        callback_abandoned_min_wait_s=30,
        work_capacity={"online-service": {"voice": 0}},  # nobody takes it meanwhile
    ) as (stack, t, ended):
        # 40 s: 30 in the hotline, then overflowed to online-service, and hung up there
        long_wait = stack.sim.place_call(LI_WEI, "Li Wei", "8001", caller_hangs_up_after=40)
        stack.sim.place_call(LI_WEI, "Li Wei", "8001", caller_hangs_up_after=5)  # short
        stack.sim.place_call(STRANGER, "Zhao Lei", "8001", caller_hangs_up_after=40)  # unknown
        stack.sim.place_call(None, None, "8001", caller_hangs_up_after=40)  # withheld
        (item,) = await owed_items(stack, 1)
        await stack.settled()
        await asyncio.sleep(0.5)
        assert len(await owed_items(stack, 1)) == 1, "only the long-waiting known caller"
        assert len([e for e in ended if e.record.outcome == "abandoned"]) == 4
        assert (item.caller, item.customer_id, item.call_ref) == (
            LI_WEI,
            stack.ids["li_wei"],
            f"pbx1:{long_wait}",
        )
        (end,) = [e for e in ended if e.linkedid == long_wait]
        assert end.record.queues == ("member-hotline", "online-service")
        assert (item.group_slug, item.status) == ("online-service", "new")  # the queue they left
        assert "abandoned online-service" in item.body
        assert item.due_at is not None and end.queued_at is not None
        assert abs(item.due_at.timestamp() - end.queued_at) < 0.01  # as of the first queue entry

        # Li Wei calls again and gets through: the waiting callback is no longer needed
        await pause(stack, t, "1001", False)
        again = stack.sim.place_call(LI_WEI, "Li Wei", "8001", answer_by="1001", talk_s=2)
        async with asyncio.timeout(15):
            while True:
                async with stack.runtime.uow() as uow:
                    now = await uow.work_items.get(item_id=item.id)
                    events = await uow.work_items.events(item_id=item.id)
                assert now is not None
                if now.status != "new":
                    break
                await asyncio.sleep(0.05)
        assert (now.status, now.outcome) == ("cancelled", "no_longer_needed")
        assert f"pbx1:{again}" in (events[-1].note or "")
        contacts = await _history(stack, stack.ids["li_wei"])
        assert ("callback", "no_longer_needed") in [(c["channel"], c["outcome"]) for c in contacts]


async def test_a_callback_whose_customer_got_through_meanwhile_is_closed_not_dialled(
    database_url: str, tmp_path: Path
) -> None:
    async with floor(
        database_url, tmp_path, callback_abandoned=True, callback_abandoned_min_wait_s=20
    ) as (stack, t, _):
        stack.sim.place_call(LI_WEI, "Li Wei", "8001", caller_hangs_up_after=25)  # the hotline's
        (item,) = await owed_items(stack, 1)
        await stack.settled()
        # a later answered call stored by another node (its PBX, its process), item still new
        async with stack.runtime.uow() as uow:
            assert item.call_ref is not None
            record = await uow.calls.get("pbx1", item.call_ref.split(":", 1)[1])
            assert record is not None
            later = datetime.now(UTC) + timedelta(seconds=1)  # after the item was filed
            await uow.calls.add(
                replace(
                    record, pbx="pbx2", outcome="answered", started_at=later,
                    ended_at=later + timedelta(seconds=30), answered_at=later, agent="Wang Fang",
                )
            )  # fmt: skip
            await uow.commit()
        originates = spy_originates(stack)
        desk = await stack.agent_socket("1001")
        await asyncio.sleep(0.3)
        await pause(stack, t, "1001", False)
        offer = await desk.next("work_offer", timeout=10)
        assert offer["item_id"] == item.id
        async with httpx.AsyncClient(base_url=stack.url(""), timeout=10) as http:
            took = await http.post(
                f"/api/agents/1001/work/{item.id}/accept",
                headers=await auth(stack, "agent", "1001"),
            )
            assert took.status_code == 200, took.text
        closed = await desk.next("work_update", item_id=item.id, state="cancelled")
        assert closed["outcome"] == "no_longer_needed"
        assert originates == []
        async with stack.runtime.uow() as uow:
            events = await uow.work_items.events(item_id=item.id)
        assert "was answered" in (events[-1].note or "")


async def _history(stack: LiveStack, customer_id: int) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=stack.url(""), timeout=10) as http:
        got = await http.get(
            f"/api/customers/{customer_id}/contacts", headers=await auth(stack, "supervisor")
        )
    assert got.status_code == 200, got.text
    return list(got.json())
