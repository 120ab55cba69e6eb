"""A telemarketing campaign on a real Asterisk: customer-first dials, AMD, the queue."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import sqlalchemy as sa
from driver import Driver
from floor import Rest, stored_record
from lab import Lab
from sqlalchemy.ext.asyncio import create_async_engine
from test_pbx_inbound import _named

from conftest import Floor

HUMAN, BUSY, MACHINE = "13912340101", "13912340102", "13912340103"


async def finished(rest: Rest, campaign: int, timeout: float = 120) -> dict[str, Any]:
    """The campaign's figures once its dialer has worked through the list."""
    deadline = time.monotonic() + timeout
    while True:
        figures: dict[str, Any] = await rest.get(f"/api/campaigns/{campaign}")
        if figures["state"] == "finished":
            return figures
        assert time.monotonic() < deadline, f"the campaign never finished: {figures}"
        await asyncio.sleep(1)


async def stored_attempts(lab: Lab, campaign: int) -> dict[str, dict[str, Any]]:
    """The campaign's stored attempts by the number dialled."""
    engine = create_async_engine(lab.database_url)
    try:
        async with engine.connect() as conn:
            rows = (
                await conn.execute(
                    sa.text(
                        "SELECT number, outcome, agent, linkedid, answered_at, connected_at "
                        "FROM campaign_attempts WHERE campaign_id = :c"
                    ),
                    {"c": campaign},
                )
            ).mappings()
            return {row["number"]: dict(row) for row in rows}
    finally:
        await engine.dispose()


async def test_a_campaign_puts_the_human_through_to_the_agent_and_stores_busy_and_machine(
    lab: Lab, driver: Driver, floor: Floor, rest: Rest
) -> None:
    await floor.staff("1006")
    await driver.db("ring1006", 1)
    await driver.db("talk1006", 6)
    await driver.db(f"pstn{HUMAN}", "answer:1:30:cc-test-hello")  # "hello?", then listens
    await driver.db(f"pstn{BUSY}", "busy")
    await driver.db(f"pstn{MACHINE}", "answer:1:20:cc-test-greeting")  # a 4 s greeting
    built = await rest.post(
        "/api/campaigns",
        {
            "name": "spring subscription offer",
            "group": "telemarketing",
            "mode": "predictive",  # the default: all three may be dialled at once
            "csv": f"number,name\n{HUMAN},Hu Man\n{BUSY},Bu Sy\n{MACHINE},Ma Chine\n",
            "window": {"start": "00:00", "end": "23:59"},
            "max_attempts": 1,
            "caller_id_number": "4008001006",
        },
    )
    assert built["records"] == 3 and built["rejects"] == [], built
    campaign = int(built["id"])
    start = len(driver.events)
    started = await rest.post(f"/api/campaigns/{campaign}/start")
    assert started["state"] == "running", started

    amd = await driver.wait_event(
        lambda e: e.get("Event") == "VarSet" and e.get("Variable") == "AMDSTATUS",
        start=start,
        timeout=60,
    )
    figures = await finished(rest, campaign)

    # what Asterisk did: one HUMAN and one MACHINE verdict, the human queued in telemarketing
    verdicts = {
        e["Linkedid"]: e["Value"]
        for e in driver.events[start:]
        if e.get("Event") == "VarSet" and e.get("Variable") == "AMDSTATUS"
    }
    assert amd["Linkedid"] in verdicts
    assert sorted(verdicts.values()) == ["HUMAN", "MACHINE"], verdicts
    human_call = next(k for k, v in verdicts.items() if v == "HUMAN")
    machine_call = next(k for k, v in verdicts.items() if v == "MACHINE")
    joins = [e for e in driver.events[start:] if e.get("Event") == "QueueCallerJoin"]
    assert [(j["Queue"], j["Linkedid"]) for j in joins] == [("telemarketing", human_call)]
    busy_end = [
        e
        for e in driver.events[start:]
        if e.get("Event") == "DialEnd" and f"{BUSY}@test-pstn" in e.get("DestChannel", "")
    ]
    assert [e["DialStatus"] for e in busy_end] == ["BUSY"]

    # what the agent saw: the human's pop on the telemarketing desk
    pop = await floor.desks["1006"].wait_for(
        lambda m: m.get("type") == "screen_pop" and human_call in str(m)
    )
    assert HUMAN in str(pop), pop
    for linkedid in (human_call, machine_call):
        await driver.call_over(linkedid)

    # what the backend stored: each attempt's outcome, and the call records
    attempts = await stored_attempts(lab, campaign)
    by_outcome = {n[-11:]: a["outcome"] for n, a in attempts.items()}
    assert by_outcome == {HUMAN: "connected", BUSY: "busy", MACHINE: "machine"}, attempts
    human = attempts[f"+86{HUMAN}"]
    assert human["agent"] == "1006", human  # the attempt keeps the agent's code
    assert human["linkedid"] == human_call
    record = await stored_record(lab, human_call)
    assert (record["direction"], record["outcome"]) == ("outbound", "answered")
    assert record["caller"] == f"+86{HUMAN}"
    assert _named(record["agent"], "1006")
    machine = await stored_record(lab, machine_call)
    assert (machine["direction"], machine["outcome"], machine["agent"]) == (
        "outbound",
        "machine",
        None,
    )

    # and the supervisor's figures
    assert figures["records"] == 3
    assert figures["dialled"] == 3
    assert figures["answered"] == 1
    assert figures["connected"] == 1
    assert figures["machines"] == 1
    assert figures["abandoned"] == 0
    assert figures["list_left"] == 0


async def test_a_person_no_agent_takes_within_the_connect_wait_is_dropped_and_counted_abandoned(
    lab: Lab, driver: Driver, floor: Floor, rest: Rest
) -> None:
    number = "13912340104"
    await floor.staff("1007")  # logged in and free, but the phone never answers
    await driver.db(f"pstn{number}", "answer:1:30:cc-test-hello")
    built = await rest.post(
        "/api/campaigns",
        {
            "name": "dropped call",
            "group": "telemarketing",
            "mode": "progressive",
            "csv": f"{number}\n",
            "window": {"start": "00:00", "end": "23:59"},
            "max_attempts": 1,
        },
    )
    campaign = int(built["id"])
    start = len(driver.events)
    await rest.post(f"/api/campaigns/{campaign}/start")
    amd = await driver.wait_event(
        lambda e: e.get("Event") == "VarSet" and e.get("Variable") == "AMDSTATUS",
        start=start,
        timeout=60,
    )
    assert amd["Value"] == "HUMAN"
    linkedid = amd["Linkedid"]
    status = await driver.wait_event(
        lambda e: (
            e.get("Event") == "VarSet"
            and e.get("Variable") == "QUEUESTATUS"
            and e.get("Linkedid") == linkedid
        ),
        start=start,
    )
    assert status["Value"] == "TIMEOUT"  # nobody within CC_CONNECT_WAIT: the abandon message
    figures = await finished(rest, campaign)
    await driver.call_over(linkedid)

    attempts = await stored_attempts(lab, campaign)
    assert [(a["outcome"], a["agent"]) for a in attempts.values()] == [("dropped", None)]
    assert figures["answered"] == 1 and figures["connected"] == 0
    assert figures["abandoned"] == 1
    assert max(figures["abandon_rate"].values()) > 0, figures
    record = await stored_record(lab, linkedid)
    assert record["direction"] == "outbound"
    assert (record["outcome"], record["agent"]) == ("abandoned", None), record
