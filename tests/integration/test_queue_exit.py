"""Leaving the queue for a callback over the simulated Asterisk (SQLite, PostgreSQL): a caller who
presses 1 while waiting and a caller the queue times out on (then told "we will call you back")
each become one callback item in the place of their queue entry; a digit the queue's exit context
does not have keeps the caller waiting."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from test_dialplan_http import always_open
from test_queue_callbacks import LI_WEI, STRANGER, floor, owed_items, pause

from callcenter.domain.calls.facts import CallEnded
from callcenter.domain.calls.records import CallRecord
from support.livestack import LiveStack


def _twin(channel: str) -> str:
    """The caller's own phone: the other half of the Local pair waiting in the queue."""
    return channel[:-1] + ("2" if channel.endswith("1") else "1")


async def _record_of(stack: LiveStack, linkedid: str) -> CallRecord | None:
    await stack.settled()
    async with stack.runtime.uow() as uow:
        return await uow.calls.get("pbx1", linkedid)


async def test_a_caller_who_presses_1_keeps_their_place_as_one_callback_item(
    database_url: str, tmp_path: Path
) -> None:
    async with floor(database_url, tmp_path) as (stack, t, ended):
        linkedid = stack.sim.place_call(LI_WEI, "Li Wei", "8001")
        join = await t.event("QueueCallerJoin", Linkedid=linkedid)
        await asyncio.sleep(0.3)
        # a digit the exit context does not have: app_queue drops it, the caller keeps waiting
        t.act(Action="PlayDTMF", Channel=_twin(join["Channel"]), Digit="2", ActionID="two")
        assert (await t.response("two"))["Response"] == "Success"
        await asyncio.sleep(0.3)
        assert not [e for e in t.events if e["Event"] == "QueueCallerLeave"]
        t.act(Action="PlayDTMF", Channel=_twin(join["Channel"]), Digit="1", ActionID="one")
        assert (await t.response("one"))["Response"] == "Success"
        (item,) = await owed_items(stack, 1)

        mine = [e for e in t.events if e.get("Linkedid") == linkedid]
        names = [e["Event"] for e in mine]
        assert "QueueCallerLeave" in names and "QueueCallerAbandon" not in names
        assert not [e for e in mine if e.get("Variable") == "QUEUESTATUS"]
        asked = [e for e in mine if e.get("Variable") == "CC_CALLBACK"]
        assert [e["Value"] for e in asked] == ["requested"]

        record = await _record_of(stack, linkedid)
        assert record is not None and record.outcome == "callback_requested"
        (end,) = [e for e in ended if e.linkedid == linkedid]
        assert end.queued_at is not None and item.due_at is not None
        assert abs(item.due_at.timestamp() - end.queued_at) < 0.01  # the queue entry's place
        assert (item.kind, item.status, item.group_slug, item.source) == (
            "callback",
            "new",
            "member-hotline",
            "queue",
        )
        assert (item.caller, item.call_ref, item.customer_id) == (
            LI_WEI,
            f"pbx1:{linkedid}",
            stack.ids["li_wei"],
        )
        routing = record.routing or {}
        assert item.priority == int(routing.get("CC_PRIORITY", 0))
        assert record.wait_s > 0  # the stay up to the key counts as waiting

        # the same end again files nothing more
        for fact in list(ended):
            stack.runtime.facts.on_fact(fact)
        await asyncio.sleep(0.5)
        assert [i.id for i in await owed_items(stack, 1)] == [item.id]


async def test_a_caller_the_queue_times_out_on_is_promised_and_owed_one_callback(
    database_url: str, tmp_path: Path
) -> None:
    async with floor(database_url, tmp_path, routing_file=_no_hotline_overflow(tmp_path)) as (
        stack,
        t,
        ended,
    ):
        linkedid = stack.sim.place_call(LI_WEI, "Li Wei", "8001", max_wait_s=20.0)
        (item,) = await owed_items(stack, 1)
        # the tap is a session of its own: it may get the last events after the backend did
        await t.event("VarSet", Linkedid=linkedid, Variable="CC_CALLBACK", Value="promised")
        mine = [e for e in t.events if e.get("Linkedid") == linkedid]
        said = [(e["Variable"], e["Value"]) for e in mine if e["Event"] == "VarSet"]
        assert ("QUEUESTATUS", "TIMEOUT") in said
        assert said.index(("QUEUESTATUS", "TIMEOUT")) < said.index(("CC_CALLBACK", "promised"))

        record = await _record_of(stack, linkedid)
        assert record is not None and record.outcome == "timeout"
        (end,) = [e for e in ended if isinstance(e, CallEnded) and e.linkedid == linkedid]
        assert end.queued_at is not None and item.due_at is not None
        assert abs(item.due_at.timestamp() - end.queued_at) < 0.01
        assert (item.group_slug, item.caller, item.call_ref, item.customer_id) == (
            "member-hotline",
            LI_WEI,
            f"pbx1:{linkedid}",
            stack.ids["li_wei"],
        )
        assert "timed out" in item.body

        # a restart's catch-up finds the promise kept already
        assert stack.runtime.queue_callbacks is not None
        assert await stack.runtime.queue_callbacks.catch_up() == 0


async def test_a_transferred_caller_who_presses_1_in_the_new_queue_is_owed_a_callback(
    database_url: str, tmp_path: Path
) -> None:
    async with floor(database_url, tmp_path) as (stack, t, ended):
        await pause(stack, t, "1001", False)
        linkedid = stack.sim.place_call(  # a caller no agent owns: the hotline queue rings 1001
            STRANGER, "Zhao Lei", "8001", answer_by="1001", agent_answers_after=0.5, talk_s=600
        )
        connect = await t.event("AgentConnect", Linkedid=linkedid)
        t.act(
            Action="Redirect",
            Channel=connect["Channel"],
            Context="cc-transfer",
            Exten="7006",
            Priority="1",
            ActionID="to-finance",
        )
        assert (await t.response("to-finance"))["Response"] == "Success"
        join = await t.event("QueueCallerJoin", Linkedid=linkedid, Queue="finance")
        await asyncio.sleep(0.2)  # finance's agents are all paused: the caller waits
        t.act(Action="PlayDTMF", Channel=_twin(join["Channel"]), Digit="1", ActionID="one")
        (item,) = await owed_items(stack, 1)

        record = await _record_of(stack, linkedid)
        assert record is not None
        assert (record.outcome, record.transferred, record.queues) == (
            "answered",
            True,
            ("member-hotline", "finance"),
        )
        (end,) = [e for e in ended if e.linkedid == linkedid]
        assert (item.group_slug, item.caller, item.call_ref) == (
            "finance",
            STRANGER,
            f"pbx1:{linkedid}",
        )
        assert end.queued_at is not None and item.due_at is not None
        assert abs(item.due_at.timestamp() - end.queued_at) < 0.01  # the call's first queue entry


def _no_hotline_overflow(where: Path) -> Path:
    """The shipped rules, always open, the hotline with no overflow: its Queue() times out."""
    text = always_open(where).read_text("utf-8")
    head, _, rest = text.partition("[groups.member-hotline]")
    section, nxt, tail = rest.partition("\n[")
    section = re.sub(r"^(overflow|overflow_after_s|borrow|borrow_after_s) = .*\n", "", section,
                     flags=re.M)  # fmt: skip
    path = where / "no-hotline-overflow.toml"
    path.write_text(head + "[groups.member-hotline]" + section + nxt + tail, "utf-8")
    return path
