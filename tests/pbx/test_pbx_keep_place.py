"""Keep my place on a real Asterisk: a caller withdrawn from the queue (QueueWithdrawCaller) is
owed one callback item, placed as of their queue entry, dialled agent-first when an agent comes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from driver import Driver
from floor import Rest, stored_record, withdraw_after
from lab import Lab
from test_pbx_inbound import owed_item
from test_pbx_work import accept_offer, dialled_customer, update

from conftest import Floor


async def test_a_caller_withdrawn_from_the_queue_keeps_their_place_and_is_called_back_agent_first(
    lab: Lab, driver: Driver, floor: Floor, rest: Rest
) -> None:
    customer = "+8613611112222"  # Wu Gang, a known senior caller nobody else here calls
    customer_id = await rest.customer_id(customer)
    linkedid = await driver.call("4008001001", caller=customer, hold=60)  # nobody logged in
    join = await withdraw_after(driver, linkedid, 3)
    await driver.call_over(linkedid)
    record = await stored_record(lab, linkedid)
    assert record["outcome"] == "callback_requested"

    item = await owed_item(rest, linkedid)
    assert (item["kind"], item["source"], item["status"]) == ("callback", "queue", "new")
    assert (item["group"], item["caller"]) == (join["Queue"], customer)
    assert item["customer"]["customer_id"] == customer_id
    routing = record.get("routing") or {}
    assert item["priority"] == int(routing.get("CC_PRIORITY") or 0)
    # its place: when the caller joined the queue, some 3 s before the call (and item) ended
    due, created = _utc(item["due_at"]), _utc(item["created_at"])
    assert _utc(record["started_at"]) <= due <= _utc(record["ended_at"]) - timedelta(seconds=2)
    assert due < created

    # its turn: an agent logs in; the backend rings the agent, then the customer
    await driver.db("ring1001", 1)
    await driver.db("talk1001", 4)
    await driver.db("pstn13611112222", "answer:1:60")
    start = len(driver.events)
    await floor.staff("1001")
    desk = floor.desks["1001"]
    await accept_offer(rest, desk, int(item["id"]))
    agent_leg = await driver.wait_event(
        lambda e: e.get("Event") == "DialBegin" and "1001@test-phone" in e.get("DestChannel", ""),
        start=start,
    )
    callback, end = await dialled_customer(driver, "13611112222", start)
    customer_dial = next(
        i
        for i, e in enumerate(driver.events)
        if i >= start and e.get("Event") == "DialBegin" and "@test-pstn" in e.get("DestChannel", "")
    )
    assert driver.events.index(agent_leg) < customer_dial, "the customer rang first"
    assert end["DialStatus"] == "ANSWER"
    await update(desk, int(item["id"]), "answered")
    await driver.call_over(callback)
    done = await rest.post(f"/api/agents/1001/work/{item['id']}/complete", {"disposition": "other"})
    assert done["status"] == "done"
    contacts = await rest.get(f"/api/customers/{customer_id}/contacts")
    assert ("callback", "answered") in [(c["channel"], c["outcome"]) for c in contacts], contacts


def _utc(text: str) -> datetime:
    """A stored time (the lab's SQLite keeps them without an offset: UTC)."""
    when = datetime.fromisoformat(text)
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
