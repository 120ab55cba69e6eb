"""Floor control on a real Asterisk: Ready cuts app_queue's wrap-up short; a supervisor listening
in switches to whisper and back without the call or the spy leg being hung up."""

from __future__ import annotations

import asyncio
import time

from driver import Driver
from floor import Rest
from lab import Lab

from conftest import Floor

SUPERVISOR_PHONE = "Local/2001@test-supervisor/n"
WRAPUP_S = 10  # queues.conf [cc-group] wrapuptime, which member-hotline keeps


async def test_ready_during_wrap_up_rings_the_waiting_caller_at_once_not_after_wrapuptime(
    lab: Lab, driver: Driver, floor: Floor, rest: Rest
) -> None:
    await floor.staff("1001")
    first = await driver.call(
        "4008001001", caller="+8613000000121", hold=30, phones={"1001": (1, 2)}
    )
    # the agent hangs up after 2 s of talk: app_queue starts its 10 s wrap-up for 1001
    complete = await driver.wait_event(
        lambda e: e.get("Event") == "AgentComplete" and e.get("Linkedid") == first
    )
    ended = time.monotonic()
    start = len(driver.events)
    second = await driver.call(
        "4008001001", caller="+8613000000122", hold=40, phones={"1001": (1, 2)}
    )
    await driver.wait_event(
        lambda e: e.get("Event") == "QueueCallerJoin" and e.get("Linkedid") == second,
        start=start,
    )
    await asyncio.sleep(1.5)
    rung_early = [
        e
        for e in driver.events[start:]
        if e.get("Event") == "AgentCalled" and e.get("Linkedid") == second
    ]
    assert rung_early == [], "app_queue rang the agent inside its wrap-up: nothing to prove"

    reply = await rest.post("/api/agents/1001/ready")
    assert "member-hotline" in reply["queues"]
    called = await driver.wait_event(
        lambda e: e.get("Event") == "AgentCalled" and e.get("Linkedid") == second,
        start=start,
        timeout=WRAPUP_S + 10,
    )
    rang_after = time.monotonic() - ended
    assert called["Queue"] == "member-hotline"
    assert "1001" in called.get("Interface", called.get("DestChannel", ""))
    assert rang_after < WRAPUP_S - 2, (
        f"the waiting caller rang {rang_after:.1f} s after the first call ended: "
        f"wrap-up ({WRAPUP_S} s) was not cut short"
    )
    assert complete["Queue"] == "member-hotline"
    await driver.call_over(second)


async def test_a_supervisor_switches_from_listen_to_whisper_and_back_on_one_spy_leg(
    lab: Lab, driver: Driver, floor: Floor, rest: Rest
) -> None:
    await floor.staff("1001")
    linkedid = await driver.call(
        "4008001001", caller="+8613000000123", hold=60, phones={"1001": (1, 30)}
    )
    await driver.wait_event(
        lambda e: e.get("Event") == "AgentConnect" and e.get("Linkedid") == linkedid
    )
    start = len(driver.events)
    joined = await rest.post(
        "/api/agents/1001/monitor", {"mode": "listen", "supervisor": SUPERVISOR_PHONE}
    )
    assert joined["mode"] == "listen" and joined["linkedid"] == linkedid
    spy = await driver.wait_event(
        lambda e: e.get("Event") == "ChanSpyStart" and e.get("SpyeeLinkedid") == linkedid,
        start=start,
    )
    spyer = spy["SpyerChannel"]
    # the backend reads the same ChanSpyStart from its own AMI session: the wallboard shows the
    # agent monitored once it has (the driver may see the event a moment earlier)
    async with asyncio.timeout(5):
        while not (await rest.get("/api/agents/1001/monitor"))["monitored"]:
            await asyncio.sleep(0.05)

    switched = await rest.client.patch("/api/agents/1001/monitor", json={"mode": "whisper"})
    assert switched.status_code == 200, switched.text
    assert switched.json()["mode"] == "whisper"
    # Asterisk received the mode key on the supervisor's ChanSpy channel
    await driver.wait_event(
        lambda e: (
            e.get("Event") == "DTMFEnd" and e.get("Channel") == spyer and e.get("Digit") == "5"
        ),
        start=start,
    )
    state = await rest.get("/api/agents/1001/monitor")
    assert state == {"agent": "1001", "monitored": True, "mode": "whisper"}

    back = await rest.client.patch("/api/agents/1001/monitor", json={"mode": "listen"})
    assert back.status_code == 200, back.text
    await driver.wait_event(
        lambda e: (
            e.get("Event") == "DTMFEnd" and e.get("Channel") == spyer and e.get("Digit") == "4"
        ),
        start=start,
    )
    stops = [
        e
        for e in driver.events[start:]
        if e.get("Event") in ("ChanSpyStop", "Hangup")
        and spyer in (e.get("SpyerChannel"), e.get("Channel"))
    ]
    assert stops == [], "switching the mode hung up the spy leg"
    audit = await rest.get("/api/audit", kind="monitor")
    details = [row["detail"] for row in audit if row["linkedid"] == linkedid]
    # one audit row per mode the supervisor was in: listen, whisper, listen again
    assert len(details) == 3 and details[1].startswith("whisper"), details

    # the supervisor presses 6 on their own phone (the digit arrives on the ChanSpy leg): the
    # backend reads Asterisk's DTMFEnd and shows barge, audited as a keypad change
    reply = await driver.send("PlayDTMF", Channel=spyer, Digit="6", Receive="true")
    assert reply.get("Response") == "Success", reply
    async with asyncio.timeout(5):
        while (await rest.get("/api/agents/1001/monitor")).get("mode") != "barge":
            await asyncio.sleep(0.05)
    audit = await rest.get("/api/audit", kind="monitor")
    keyed = [row for row in audit if row["linkedid"] == linkedid]
    assert keyed[0]["detail"].endswith("(was listen), by its keypad"), keyed[0]
