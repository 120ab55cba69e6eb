"""Supervision on a real Asterisk: a supervisor listens in through the shipped `[cc-spy]`."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from driver import Driver
from floor import assert_agrees_with_queue_log, queue_log_call, stored_record
from lab import Lab
from sqlalchemy.ext.asyncio import create_async_engine
from test_pbx_inbound import _named

from conftest import Floor


async def _records_of(lab: Lab, linkedid: str) -> int:
    engine = create_async_engine(lab.database_url)
    try:
        async with engine.connect() as conn:
            query = sa.text("SELECT count(*) FROM call_records WHERE linkedid = :l")
            return int((await conn.execute(query, {"l": linkedid})).scalar_one())
    finally:
        await engine.dispose()


async def test_a_supervisor_listening_in_is_counted_on_the_call_and_is_no_call_itself(
    lab: Lab, driver: Driver, floor: Floor
) -> None:
    await floor.staff("1001")
    caller = "+8613000000105"
    linkedid = await driver.call("4008001001", caller=caller, hold=60, phones={"1001": (1, 12)})
    connect = await driver.wait_event(
        lambda e: e.get("Event") == "AgentConnect" and e.get("Linkedid") == linkedid
    )
    await asyncio.sleep(1)
    start = len(driver.events)
    # the supervisor's phone into the shipped [cc-spy] listen, on the agent's live channel
    reply = await driver.send(
        "Originate",
        Channel="Local/2001@test-supervisor/n",
        Context="cc-spy",
        Exten="listen",
        Priority="1",
        CallerID='"Supervisor" <2001>',
        Variable=[f"CC_SPY_TARGET={connect['DestChannel']}", "SUPERVISOR_HOLD=4"],
        Async="true",
    )
    assert reply.get("Response") == "Success", reply
    spy = await driver.wait_event(
        lambda e: e.get("Event") == "ChanSpyStart" and e.get("SpyeeLinkedid") == linkedid,
        start=start,
    )
    assert spy["SpyeeChannel"] == connect["DestChannel"]
    spyer = spy["SpyerLinkedid"]
    assert spyer != linkedid
    await driver.wait_event(
        lambda e: e.get("Event") == "ChanSpyStop" and e.get("SpyerLinkedid") == spyer,
        start=start,
    )
    await driver.call_over(spyer)
    await driver.call_over(linkedid)

    record = await stored_record(lab, linkedid)
    assert record["monitored"] == 1
    assert record["direction"] == "inbound"
    assert record["caller"] == caller
    assert record["queues"] == ["member-hotline"]
    assert _named(record["agent"], "1001")
    assert record["outcome"] == "answered"
    assert record["transferred"] in (False, 0)
    legs = record.get("legs")
    assert legs is not None, "the stored record has no legs"
    assert [(_named(leg["agent"], "1001"), leg["queue"]) for leg in legs] == [
        (True, "member-hotline")
    ]
    assert record["talk_s"] >= 8
    assert_agrees_with_queue_log(record, queue_log_call(lab.queue_log, driver.uniqueids(linkedid)))
    assert await _records_of(lab, spyer) == 0, "the supervisor's leg was stored as a call"
