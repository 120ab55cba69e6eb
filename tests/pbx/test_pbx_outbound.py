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
