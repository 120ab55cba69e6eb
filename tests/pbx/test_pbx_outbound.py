"""Outbound on a real Asterisk: click-to-dial from the desktop (agent-first Originate)."""

from __future__ import annotations

from driver import Driver
from floor import Rest, stored_record
from lab import Lab
from test_pbx_inbound import _named

from conftest import Floor


async def test_click_to_dial_rings_the_agent_then_the_customer_and_is_stored_answered_outbound(
    lab: Lab, driver: Driver, floor: Floor, rest: Rest
) -> None:
    await floor.staff("1006")
    await driver.db("ring1006", 1)
    await driver.db("talk1006", 8)
    await driver.db("pstn13812340001", "answer:2:60")
    start = len(driver.events)
    sent = await rest.post("/api/agents/1006/dial", {"number": "13812340001"})
    assert sent["action_id"]

    dial = await driver.wait_event(
        lambda e: e.get("Event") == "DialBegin" and "@test-pstn" in e.get("DestChannel", ""),
        start=start,
    )
    linkedid = dial["Linkedid"]
    end = await driver.wait_event(
        lambda e: (
            e.get("Event") == "DialEnd"
            and e.get("Linkedid") == linkedid
            and "@test-pstn" in e.get("DestChannel", "")
        ),
        start=start,
    )
    assert end["DialStatus"] == "ANSWER"
    await driver.call_over(linkedid)

    record = await stored_record(lab, linkedid)
    assert record["direction"] == "outbound"
    assert record["outcome"] == "answered"
    assert record["caller"] == "+8613812340001"
    assert _named(record["agent"], "1006")
    assert record["talk_s"] >= 4


async def test_click_to_dial_to_a_busy_customer_is_stored_busy(
    lab: Lab, driver: Driver, floor: Floor, rest: Rest
) -> None:
    await floor.staff("1007")
    await driver.db("ring1007", 1)
    await driver.db("pstn13812340002", "busy")
    start = len(driver.events)
    await rest.post("/api/agents/1007/dial", {"number": "13812340002"})

    end = await driver.wait_event(
        lambda e: e.get("Event") == "DialEnd" and "@test-pstn" in e.get("DestChannel", ""),
        start=start,
    )
    assert end["DialStatus"] == "BUSY"
    linkedid = end["Linkedid"]
    await driver.call_over(linkedid)

    record = await stored_record(lab, linkedid)
    assert record["direction"] == "outbound"
    assert record["outcome"] == "busy"
    assert record["caller"] == "+8613812340002"
    assert record["talk_s"] == 0


async def test_a_customer_first_call_answered_by_a_machine_is_hung_up_and_stored_machine(
    lab: Lab, driver: Driver, floor: Floor
) -> None:
    await floor.staff("1006")
    await driver.db("pstn13912340009", "answer:1:20:cc-test-greeting")  # a 4 s greeting
    start = len(driver.events)
    # a campaign's customer-first call, sent by another AMI client: its path makes it outbound
    reply = await driver.send(
        "Originate",
        Channel="Local/13912340009@test-pstn/n",
        Context="outbound-connect",
        Exten="s",
        Priority="1",
        CallerID="<13912340009>",
        Timeout="15000",
        Async="true",
    )
    assert reply.get("Response") == "Success", reply
    amd = await driver.wait_event(
        lambda e: e.get("Event") == "VarSet" and e.get("Variable") == "AMDSTATUS",
        start=start,
    )
    assert amd["Value"] == "MACHINE"
    linkedid = amd["Linkedid"]
    await driver.call_over(linkedid)
    assert not [e for e in driver.events[start:] if e.get("Event") == "QueueCallerJoin"], (
        "a machine was put through to telemarketing"
    )

    record = await stored_record(lab, linkedid)
    assert record["direction"] == "outbound"
    assert record["outcome"] == "machine"
    assert record.get("amd") == "MACHINE", "the stored record has no amd"
    assert record["agent"] is None
