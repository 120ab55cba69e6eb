"""Transfers on a real Asterisk: REST transfer (Redirect) and attended transfer (Atxfer)."""

from __future__ import annotations

import asyncio

from driver import Driver
from floor import Rest, assert_agrees_with_queue_log, queue_log_call, stored_record
from lab import Lab
from test_pbx_inbound import _named

from conftest import Floor


async def _answered_by(driver: Driver, linkedid: str, queue: str) -> dict[str, str]:
    return await driver.wait_event(
        lambda e: (
            e.get("Event") == "AgentConnect"
            and e.get("Linkedid") == linkedid
            and e.get("Queue") == queue
        )
    )


async def test_a_rest_transfer_moves_the_customer_to_finance_and_the_record_keeps_both_agents(
    lab: Lab, driver: Driver, floor: Floor, rest: Rest
) -> None:
    await floor.staff("1001", "1009")
    caller = "+8613000000103"
    linkedid = await driver.call(
        "4008001001", caller=caller, hold=60, phones={"1001": (1, 40), "1009": (1, 4)}
    )
    await _answered_by(driver, linkedid, "member-hotline")
    await floor.desks["1001"].wait_for(
        lambda m: m.get("type") == "screen_pop" and linkedid in str(m)
    )
    await asyncio.sleep(2)
    moved = await rest.post("/api/agents/1001/transfer", {"group": "finance"})
    assert moved["linkedid"] == linkedid

    await _answered_by(driver, linkedid, "finance")
    await floor.desks["1009"].wait_for(
        lambda m: m.get("type") == "screen_pop" and linkedid in str(m)
    )
    await floor.desks["1001"].wait_for(
        lambda m: (
            m.get("type") == "call_update"
            and linkedid in str(m)
            and m.get("state") in ("ended", "transferred")
        )
    )
    await driver.call_over(linkedid)

    record = await stored_record(lab, linkedid)
    assert record["queues"] == ["member-hotline", "finance"]
    assert _named(record["agent"], "1009")
    assert record["outcome"] == "answered"
    assert record["transferred"] is True or record["transferred"] == 1
    legs = record.get("legs")
    assert legs is not None, "the stored record has no legs"
    assert [(leg["queue"]) for leg in legs] == ["member-hotline", "finance"]
    assert _named(legs[0]["agent"], "1001") and _named(legs[1]["agent"], "1009")
    assert legs[0]["talk_s"] >= 1.5 and legs[1]["talk_s"] >= 3
    assert_agrees_with_queue_log(record, queue_log_call(lab.queue_log, driver.uniqueids(linkedid)))


async def test_an_attended_transfer_to_finance_keeps_one_call_with_two_legs(
    lab: Lab, driver: Driver, floor: Floor
) -> None:
    await floor.staff("1001", "1009")
    caller = "+8613000000104"
    # 1001 hangs up 8 s after answering, which completes the transfer to 1009
    linkedid = await driver.call(
        "4008001001", caller=caller, hold=60, phones={"1001": (1, 8), "1009": (1, 5)}
    )
    connect = await _answered_by(driver, linkedid, "member-hotline")
    await asyncio.sleep(2)
    reply = await driver.send(
        "Atxfer", Channel=connect["DestChannel"], Exten="7006", Context="cc-transfer"
    )
    assert reply.get("Response") == "Success", reply
    await driver.wait_event(
        lambda e: (
            e.get("Event") == "AttendedTransfer"
            and e.get("Result") == "Success"
            and e.get("OrigTransfererLinkedid") == linkedid
        ),
        timeout=30,
    )
    await floor.desks["1009"].wait_for(
        lambda m: m.get("type") == "screen_pop" and linkedid in str(m)
    )
    await driver.call_over(linkedid)

    record = await stored_record(lab, linkedid)
    assert record["caller"] == caller
    assert record["queues"] == ["member-hotline", "finance"]
    assert _named(record["agent"], "1009")
    assert record["outcome"] == "answered"
    assert record["transferred"] is True or record["transferred"] == 1
    legs = record.get("legs")
    assert legs is not None, "the stored record has no legs"
    assert [_named(leg["agent"], c) for leg, c in zip(legs, ("1001", "1009"), strict=True)] == [
        True,
        True,
    ]
    assert_agrees_with_queue_log(record, queue_log_call(lab.queue_log, driver.uniqueids(linkedid)))
