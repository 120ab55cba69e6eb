"""Inbound calls on a real Asterisk, shipped dialplan: route, pop, preferred agent, callback."""

from __future__ import annotations

import asyncio

from driver import Driver
from floor import Rest, assert_agrees_with_queue_log, queue_log_call, stored_record, withdraw_after
from lab import Lab

from callcenter.seeding.known import KNOWN_AGENTS
from conftest import Floor

NAMES = {a.code: a.name for a in KNOWN_AGENTS}


def _named(agent: object, code: str) -> bool:
    return agent in (NAMES[code], f"Local/{code}@agents/n")


async def test_the_carrier_did_for_8002_reaches_online_service_and_pops_on_the_answering_desk(
    lab: Lab, driver: Driver, floor: Floor
) -> None:
    await floor.staff("1004", "1001")  # 1004 takes online-service, 1001 would take the hotline
    caller = "+8613000000102"
    linkedid = await driver.call(
        "4008001002", caller=caller, hold=40, phones={"1004": (1, 3), "1001": (1, 3)}
    )

    join = await driver.wait_event(
        lambda e: e.get("Event") == "QueueCallerJoin" and e.get("Linkedid") == linkedid
    )
    assert join["Queue"] == "online-service", f"Asterisk queued the 8002 call in {join['Queue']}"
    pop = await floor.desks["1004"].wait_for(
        lambda m: m.get("type") == "screen_pop" and linkedid in str(m)
    )
    assert caller in str(pop["caller"])
    await driver.call_over(linkedid)
    assert not floor.desks["1001"].about(linkedid, "screen_pop")

    record = await stored_record(lab, linkedid)
    assert record["direction"] == "inbound"
    assert record["caller"] == caller
    assert record["queues"] == ["online-service"]
    assert _named(record["agent"], "1004")
    assert record["outcome"] == "answered"
    assert record["talk_s"] >= 2
    assert_agrees_with_queue_log(record, queue_log_call(lab.queue_log, driver.uniqueids(linkedid)))


async def test_a_customer_with_an_open_complaint_rings_its_owner_first_and_is_answered_there(
    lab: Lab, driver: Driver, floor: Floor, rest: Rest
) -> None:
    caller = "+8613912345678"  # Zhao Min, a regular member
    customer_id = await rest.customer_id(caller)
    await rest.post(
        "/api/complaints",
        {
            "customer_id": customer_id,
            "category": "delivery",
            "subject": "parcel never came",
            "owner_group": "member-hotline",
            "owner_agent": "1002",
        },
    )
    await floor.staff("1001", "1002")
    linkedid = await driver.call(
        "4008001001", caller=caller, name="Zhao Min", hold=40, phones={"1002": (2, 4)}
    )

    dial = await driver.wait_event(
        lambda e: e.get("Event") in ("DialBegin", "AgentCalled") and e.get("Linkedid") == linkedid
    )
    assert dial["Event"] == "DialBegin" and "Local/1002@agents" in dial.get("DestChannel", ""), (
        f"the dialplan did not ring the complaint's owner directly first: {dial}"
    )
    pop = await floor.desks["1002"].wait_for(
        lambda m: m.get("type") == "screen_pop" and linkedid in str(m)
    )
    assert str(customer_id) in str(pop)
    await driver.call_over(linkedid)

    record = await stored_record(lab, linkedid)
    assert record["outcome"] == "answered"
    assert _named(record["agent"], "1002")
    assert record["queues"] == []
    assert record["talk_s"] >= 3
    assert record["ring_attempts"] >= 1
    legs = record.get("legs")
    assert legs is not None, "the stored record has no legs"
    assert [(_named(leg["agent"], "1002"), leg["queue"]) for leg in legs] == [(True, None)]
    logged = queue_log_call(lab.queue_log, driver.uniqueids(linkedid))
    assert logged.events == []  # app_queue never saw this call


async def test_a_caller_withdrawn_from_the_queue_for_a_callback_is_stored_as_callback_requested(
    lab: Lab, driver: Driver, floor: Floor, rest: Rest
) -> None:
    caller = "+8613000000107"
    linkedid = await driver.call("4008001001", caller=caller, hold=60)  # nobody logged in
    await withdraw_after(driver, linkedid, 2)
    status = await driver.wait_event(
        lambda e: (
            e.get("Event") == "VarSet"
            and e.get("Variable") == "QUEUESTATUS"
            and e.get("Linkedid") == linkedid
        )
    )
    assert status["Value"] == "WITHDRAW"
    await driver.call_over(linkedid)

    record = await stored_record(lab, linkedid)
    assert record["outcome"] == "callback_requested"
    assert record["caller"] == caller
    assert record["queues"] == ["member-hotline"]
    assert record["agent"] is None
    assert_agrees_with_queue_log(record, queue_log_call(lab.queue_log, driver.uniqueids(linkedid)))
    # the caller is owed a callback (keep my place): one item; closed here, so that no later
    # test's agent is offered it
    owed = await owed_item(rest, linkedid)
    assert (owed["kind"], owed["source"], owed["caller"]) == ("callback", "queue", caller)
    await rest.post(f"/api/work-items/{owed['id']}/status", {"status": "cancelled"})


async def owed_item(rest: Rest, linkedid: str, timeout: float = 10) -> dict[str, object]:
    """The callback item the call `linkedid` (on the lab's PBX) is owed, once filed."""
    async with asyncio.timeout(timeout):
        while True:
            items = await rest.get("/api/work-items", kind="callback")
            mine = [i for i in items if str(i.get("call_ref", "")).endswith(f":{linkedid}")]
            if mine:
                assert len(mine) == 1, mine
                return dict(mine[0])
            await asyncio.sleep(0.2)


async def test_the_shipped_cc_queue_rings_a_free_preferred_agent_directly_then_queues(
    lab: Lab, driver: Driver, floor: Floor
) -> None:
    """The dialplan half of the preferred-agent path, whatever the hook decides."""
    await floor.staff("1001", "1002")
    start = len(driver.events)
    # straight into [cc-queue] with the variables the hook would set: 1002 preferred, no answer
    reply = await driver.send(
        "Originate",
        Channel="Local/s@test-caller/n",
        Context="cc-queue",
        Exten="s",
        Priority="1",
        CallerID="<+8613000000108>",
        Variable=[
            "CALLER_HOLD=40",
            "CC_QUEUE=member-hotline",
            "CC_PRIORITY=50",
            "CC_PREFERRED_AGENT=1002",
            "CC_REASON=open complaint",
            "__AGR_1001=1",
            "__AGT_1001=2",
        ],
        Async="true",
    )
    assert reply.get("Response") == "Success", reply
    first = await driver.wait_event(
        lambda e: (
            e.get("Event") in ("DialBegin", "AgentCalled") and "test-caller" in e.get("Channel", "")
        ),
        start=start,
    )
    assert first["Event"] == "DialBegin", first
    assert first["DestChannel"].startswith("Local/1002@agents-"), first
    linkedid = first["Linkedid"]
    end = await driver.wait_event(
        lambda e: e.get("Event") == "DialEnd" and e.get("Linkedid") == linkedid, start=start
    )
    assert end["DialStatus"] == "NOANSWER"
    join = await driver.wait_event(
        lambda e: e.get("Event") == "QueueCallerJoin" and e.get("Linkedid") == linkedid
    )
    assert join["Queue"] == "member-hotline"
    connect = await driver.wait_event(
        lambda e: e.get("Event") == "AgentConnect" and e.get("Linkedid") == linkedid
    )
    assert connect["MemberName"] == NAMES["1001"]
    await driver.call_over(linkedid)
