"""Leaving the queue for a callback on a real Asterisk, shipped dialplan: a caller who presses 1
while waiting (queues.conf `context = cc-queue-exit`) and a caller the queue times out on, who is
then told "we will call you back", are each owed exactly one callback item that keeps the place
of their queue entry."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from driver import Driver, Msg
from floor import Rest, assert_agrees_with_queue_log, queue_log_call, stored_record
from lab import Lab
from test_pbx_inbound import owed_item

from conftest import Floor


async def test_a_caller_who_presses_1_while_waiting_is_owed_one_callback_keeping_their_place(
    lab: Lab, driver: Driver, rest: Rest
) -> None:
    caller = "+8613501234567"  # Li Na, a known caller nobody else here calls
    customer_id = await rest.customer_id(caller)
    linkedid = await driver.call("4008001001", caller=caller, hold=60)  # nobody logged in
    join = await driver.wait_event(
        lambda e: e.get("Event") == "QueueCallerJoin" and e.get("Linkedid") == linkedid
    )
    start = len(driver.events)
    await asyncio.sleep(3)
    # the caller's own phone (the ;2 half of the caller's Local pair) sends the digit
    phone = join["Channel"][:-1] + "2"
    reply = await driver.send("PlayDTMF", Channel=phone, Digit="1", Duration="250")
    assert reply.get("Response") == "Success", reply
    said = await driver.wait_event(
        lambda e: e.get("Event") == "VarSet" and e.get("Variable") == "CC_CALLBACK", start=start
    )
    assert (said["Linkedid"], said["Value"], said["Context"]) == (
        linkedid,
        "requested",
        "cc-queue-exit",
    )
    await driver.call_over(linkedid)
    # what app_queue did: the caller left by the key, no abandon, no QUEUESTATUS
    seen = _of_call(driver.events[start:], linkedid)
    assert "QueueCallerLeave" in [e.get("Event") for e in seen]
    assert "QueueCallerAbandon" not in [e.get("Event") for e in seen]
    assert not [e for e in seen if e.get("Variable") == "QUEUESTATUS"]
    logged = queue_log_call(lab.queue_log, driver.uniqueids(linkedid))
    assert logged.events[-1] == "EXITWITHKEY"

    record = await stored_record(lab, linkedid)
    assert record["outcome"] == "callback_requested"
    assert (record["caller"], record["queues"], record["agent"]) == (
        caller,
        ["member-hotline"],
        None,
    )
    assert 2.5 <= record["wait_s"] <= 6  # pressed after about 3 s in the queue
    assert_agrees_with_queue_log(record, logged)

    item = await owed_item(rest, linkedid)
    assert (item["kind"], item["source"], item["status"]) == ("callback", "queue", "new")
    assert (item["group"], item["caller"]) == ("member-hotline", caller)
    assert item["customer"]["customer_id"] == customer_id
    assert item["priority"] == int((record.get("routing") or {}).get("CC_PRIORITY") or 0)
    # its place: when the caller joined the queue, some 3 s before the call (and item) ended
    due, created = _utc(item["due_at"]), _utc(item["created_at"])
    assert _utc(record["started_at"]) <= due <= _utc(record["ended_at"]) - timedelta(seconds=2)
    assert due < created
    # closed here, so that no later test's agent is offered it
    await rest.post(f"/api/work-items/{item['id']}/status", {"status": "cancelled"})


async def test_a_caller_the_queue_times_out_on_is_promised_a_callback_and_owed_exactly_one(
    lab: Lab, driver: Driver, rest: Rest
) -> None:
    caller = "+8613122223333"  # 黄晓燕, a known caller nobody else here calls
    customer_id = await rest.customer_id(caller)
    start = len(driver.events)
    # straight into [cc-queue] with what a rule book with a wait limit and no overflow would set:
    # Queue() times out after 3 s, nobody is logged in, then [cc-callback] s
    reply = await driver.send(
        "Originate",
        Channel="Local/s@test-caller/n",
        Context="cc-queue",
        Exten="s",
        Priority="1",
        CallerID=f"<{caller}>",
        Variable=[
            "CALLER_HOLD=40",
            "CC_ENTRY=8001",
            "CC_QUEUE=member-hotline",
            "CC_PRIORITY=7",
            "CC_OVERFLOW_AFTER=3",
            "CC_REASON=wait limit",
        ],
        Async="true",
    )
    assert reply.get("Response") == "Success", reply
    join = await driver.wait_event(
        lambda e: e.get("Event") == "QueueCallerJoin" and "test-caller" in e.get("Channel", ""),
        start=start,
    )
    linkedid = join["Linkedid"]
    status = await driver.wait_event(
        lambda e: (
            e.get("Event") == "VarSet"
            and e.get("Variable") == "QUEUESTATUS"
            and e.get("Linkedid") == linkedid
        ),
        start=start,
    )
    assert status["Value"] == "TIMEOUT"
    promised = await driver.wait_event(
        lambda e: e.get("Variable") == "CC_CALLBACK" and e.get("Linkedid") == linkedid,
        start=start,
    )
    assert (promised["Value"], promised["Context"]) == ("promised", "cc-callback")
    await driver.call_over(linkedid)

    record = await stored_record(lab, linkedid)
    assert (record["outcome"], record["caller"], record["queues"]) == (
        "timeout",
        caller,
        ["member-hotline"],
    )
    assert (record.get("routing") or {}).get("CC_CALLBACK") == "promised"
    item = await owed_item(rest, linkedid)
    assert (item["kind"], item["source"], item["status"]) == ("callback", "queue", "new")
    assert (item["group"], item["caller"], item["priority"]) == ("member-hotline", caller, 7)
    assert item["customer"]["customer_id"] == customer_id
    due = _utc(item["due_at"])
    assert _utc(record["started_at"]) <= due <= _utc(record["ended_at"]) - timedelta(seconds=2)
    await asyncio.sleep(1)  # and only one
    items = await rest.get("/api/work-items", kind="callback")
    assert [i["id"] for i in items if str(i.get("call_ref", "")).endswith(linkedid)] == [item["id"]]
    await rest.post(f"/api/work-items/{item['id']}/status", {"status": "cancelled"})


async def test_a_caller_transferred_to_a_queue_who_presses_1_there_is_owed_one_callback(
    lab: Lab, driver: Driver, floor: Floor, rest: Rest
) -> None:
    await floor.staff("1001")  # nobody takes finance
    caller = "+8613000000131"
    linkedid = await driver.call("4008001001", caller=caller, hold=60, phones={"1001": (1, 40)})
    await driver.wait_event(
        lambda e: e.get("Event") == "AgentConnect" and e.get("Linkedid") == linkedid
    )
    await asyncio.sleep(1)
    moved = await rest.post("/api/agents/1001/transfer", {"group": "finance"})
    assert moved["linkedid"] == linkedid
    join = await driver.wait_event(
        lambda e: (
            e.get("Event") == "QueueCallerJoin"
            and e.get("Linkedid") == linkedid
            and e.get("Queue") == "finance"
        )
    )
    await asyncio.sleep(2)
    reply = await driver.send("PlayDTMF", Channel=join["Channel"][:-1] + "2", Digit="1")
    assert reply.get("Response") == "Success", reply
    await driver.call_over(linkedid)

    record = await stored_record(lab, linkedid)
    assert (record["outcome"], record["queues"]) == ("answered", ["member-hotline", "finance"])
    assert record["transferred"] in (True, 1)
    assert (record.get("routing") or {}).get("CC_CALLBACK") == "requested"
    assert_agrees_with_queue_log(record, queue_log_call(lab.queue_log, driver.uniqueids(linkedid)))
    item = await owed_item(rest, linkedid)
    assert (item["kind"], item["group"], item["caller"]) == ("callback", "finance", caller)
    assert _utc(item["due_at"]) <= _utc(record["ended_at"]) - timedelta(seconds=3)
    await rest.post(f"/api/work-items/{item['id']}/status", {"status": "cancelled"})


def _of_call(events: list[Msg], linkedid: str) -> list[Msg]:
    return [e for e in events if e.get("Linkedid") == linkedid]


def _utc(text: str) -> datetime:
    """A stored time (the lab's SQLite keeps them without an offset: UTC)."""
    when = datetime.fromisoformat(text)
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
