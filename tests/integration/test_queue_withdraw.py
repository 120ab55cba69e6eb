"""Keep my place, taken by the backend (CALLBACK_WITHDRAW_AFTER_S) over the simulated Asterisk
(SQLite, PostgreSQL): a caller with a number who waited long enough is withdrawn with
QueueWithdrawCaller and owed one callback item in their place; a withheld caller is left waiting
(nobody could call them back), and so is a caller in a queue the setting does not name."""

from __future__ import annotations

import asyncio
from pathlib import Path

from test_queue_callbacks import LI_WEI, floor, owed_items


async def test_a_caller_waiting_too_long_is_withdrawn_and_owed_a_callback(
    database_url: str, tmp_path: Path
) -> None:
    async with floor(database_url, tmp_path, callback_withdraw_after_s=1.5) as (stack, t, ended):
        known = stack.sim.place_call(LI_WEI, "Li Wei", "8001")
        hidden = stack.sim.place_call(None, None, "8001")
        await t.event("QueueCallerJoin", Linkedid=known)
        await t.event("QueueCallerJoin", Linkedid=hidden)

        (item,) = await owed_items(stack, 1, timeout=15)
        # in the group of the queue they were waiting in when withdrawn (an overflow may have
        # moved them on from the hotline before the limit)
        joins = [e for e in t.events if e["Event"] == "QueueCallerJoin" and e["Linkedid"] == known]
        assert (item.caller, item.call_ref, item.group_slug) == (
            LI_WEI,
            f"pbx1:{known}",
            joins[-1]["Queue"],
        )
        assert item.customer_id == stack.ids["li_wei"]
        async with asyncio.timeout(10):
            while not (done := [e.record for e in ended if e.linkedid == known]):
                await asyncio.sleep(0.05)
        record = done[0]
        assert record.outcome == "callback_requested"
        # its place: due as of when the caller entered the queue, before the withdraw
        assert item.due_at is not None and item.due_at < record.ended_at

        # the withheld caller is never withdrawn, several ticks past the limit
        await asyncio.sleep(2.5)
        assert [i.call_ref for i in await owed_items(stack, 1)] == [f"pbx1:{known}"]
        assert [e.record.outcome for e in ended if e.linkedid == hidden] in ([], ["timeout"])


async def test_only_the_named_queues_are_watched(database_url: str, tmp_path: Path) -> None:
    async with floor(
        database_url,
        tmp_path,
        callback_withdraw_after_s=1.0,
        callback_withdraw_queues=["finance"],
    ) as (stack, t, ended):
        call = stack.sim.place_call(LI_WEI, "Li Wei", "8001")
        await t.event("QueueCallerJoin", Linkedid=call, Queue="member-hotline")
        await asyncio.sleep(3.0)  # three times the limit, in the hotline and its overflow queue
        assert [e.record.outcome for e in ended] in ([], ["timeout"])
        async with stack.runtime.uow() as uow:
            items = [i for i in await uow.work_items.find(kind="callback") if i.source == "queue"]
        assert items == []
