"""Work items on a real Asterisk: a callback item offered, accepted and dialled agent-first; a
mail to the SMTP port offered, and holding it pauses the agent in the voice queues."""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage
from typing import Any

from driver import Driver
from floor import Desk, Rest, stored_record
from lab import CALLBACK_DIAL_TIMEOUT_S, CALLBACK_RETRY_S, Lab
from test_pbx_inbound import _named

from conftest import Floor


async def file_callback(rest: Rest, phone: str, group: str) -> int:
    """A promised callback filed through the REST intake, as the desktop or a web form does."""
    item = await rest.post(
        "/api/work-items",
        {
            "kind": "callback",
            "subject": "please call me back about my order",
            "body": "",
            "from": {"phone": phone},
            "group": group,
        },
    )
    assert item["kind"] == "callback" and item["group"] == group, item
    return int(item["id"])


async def accept_offer(rest: Rest, desk: Desk, item: int) -> None:
    """Wait for the item's offer on the desktop, then accept it."""
    await desk.wait_for(
        lambda m: m.get("type") == "work_offer" and m.get("item_id") == item, timeout=30
    )
    took = await rest.post(f"/api/agents/{desk.code}/work/{item}/accept")
    assert took["status"] in ("accepted", "in_progress"), took


async def dialled_customer(driver: Driver, number: str, start: int) -> tuple[str, dict[str, str]]:
    """The attempt's call: its linkedid and the DialEnd of the customer's leg."""
    dial = await driver.wait_event(
        lambda e: (
            e.get("Event") == "DialBegin" and f"{number}@test-pstn" in e.get("DestChannel", "")
        ),
        start=start,
        timeout=40,
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
    return linkedid, end


def update(desk: Desk, item: int, state: str, timeout: float = 40) -> Any:
    return desk.wait_for(
        lambda m: (
            m.get("type") == "work_update" and m.get("item_id") == item and m.get("state") == state
        ),
        timeout=timeout,
    )


async def test_a_callback_item_rings_the_agent_then_the_customer_and_lands_in_the_history(
    lab: Lab, driver: Driver, floor: Floor, rest: Rest
) -> None:
    customer = "+8613800138000"  # Li Wei, a known caller
    await floor.staff("1001")
    await driver.db("ring1001", 1)
    await driver.db("talk1001", 6)
    await driver.db("pstn13800138000", "answer:2:60")
    customer_id = await rest.customer_id(customer)
    start = len(driver.events)
    item = await file_callback(rest, customer, "member-hotline")
    desk = floor.desks["1001"]
    await accept_offer(rest, desk, item)

    agent_leg = await driver.wait_event(
        lambda e: e.get("Event") == "DialBegin" and "1001@test-phone" in e.get("DestChannel", ""),
        start=start,
    )
    linkedid, end = await dialled_customer(driver, "13800138000", start)
    first_customer_dial = next(
        i
        for i, e in enumerate(driver.events)
        if e.get("Event") == "DialBegin" and "@test-pstn" in e.get("DestChannel", "")
    )
    assert driver.events.index(agent_leg) < first_customer_dial, "the customer rang first"
    assert end["DialStatus"] == "ANSWER"
    pop = await desk.wait_for(lambda m: m.get("type") == "screen_pop" and linkedid in str(m))
    assert str(customer_id) in str(pop), pop
    reached = await update(desk, item, "answered")
    assert reached["outcome"] == "answered"
    await driver.call_over(linkedid)

    record = await stored_record(lab, linkedid)
    assert record["direction"] == "outbound"
    assert record["outcome"] == "answered"
    assert record["caller"] == customer
    assert _named(record["agent"], "1001")

    done = await rest.post(f"/api/agents/1001/work/{item}/complete", {"disposition": "other"})
    assert done["status"] == "done"
    contacts = await rest.get(f"/api/customers/{customer_id}/contacts")
    mine = [c for c in contacts if c["channel"] == "callback"]
    assert [
        (c["direction"], c["outcome"], c["disposition_code"], c["agent_code"]) for c in mine
    ] == [("outbound", "answered", "other", "1001")], contacts


async def test_a_callback_conversation_longer_than_the_dial_timeout_stays_with_its_agent(
    lab: Lab, driver: Driver, floor: Floor, rest: Rest
) -> None:
    """The agent answers and talks 10 s past the lab's dial timeout: the item is not given back
    mid-conversation (before, the watchdog did, and the customer was dialled again by another
    agent); the call's end settles the attempt as answered, and the customer was dialled once."""
    customer = "+8613800138000"
    await floor.staff("1001")
    await driver.db("ring1001", 1)
    await driver.db("talk1001", CALLBACK_DIAL_TIMEOUT_S + 10)
    await driver.db("pstn13800138000", "answer:2:180")
    start = len(driver.events)
    item = await file_callback(rest, customer, "member-hotline")
    desk = floor.desks["1001"]
    await accept_offer(rest, desk, item)
    linkedid, end = await dialled_customer(driver, "13800138000", start)
    assert end["DialStatus"] == "ANSWER"
    reached = await update(desk, item, "answered", timeout=CALLBACK_DIAL_TIMEOUT_S + 40)
    assert reached["outcome"] == "answered"
    await driver.call_over(linkedid)
    given_back = [
        m
        for m in desk.messages
        if m.get("type") == "work_update" and m.get("item_id") == item and m["state"] == "retry"
    ]
    assert given_back == [], given_back
    customer_dials = [
        e
        for e in driver.events[start:]
        if e.get("Event") == "DialBegin" and "13800138000@test-pstn" in e.get("DestChannel", "")
    ]
    assert len(customer_dials) == 1, customer_dials
    held = await rest.get(f"/api/work-items/{item}")
    assert held["status"] == "in_progress", held
    done = await rest.post(f"/api/agents/1001/work/{item}/complete", {"disposition": "other"})
    assert done["status"] == "done"


async def test_a_busy_customer_is_called_back_again_after_the_retry_time(
    lab: Lab, driver: Driver, floor: Floor, rest: Rest
) -> None:
    customer = "+8613698765432"  # Zhang Hua, a known caller
    await floor.staff("1002")
    await driver.db("ring1002", 1)
    await driver.db("talk1002", 5)
    await driver.db("pstn13698765432", "busy")
    customer_id = await rest.customer_id(customer)
    start = len(driver.events)
    item = await file_callback(rest, customer, "member-hotline")
    desk = floor.desks["1002"]
    await accept_offer(rest, desk, item)

    linkedid, end = await dialled_customer(driver, "13698765432", start)
    assert end["DialStatus"] == "BUSY"
    retry = await update(desk, item, "retry")
    assert retry["outcome"] == "busy"
    await driver.call_over(linkedid)
    record = await stored_record(lab, linkedid)
    assert (record["direction"], record["outcome"]) == ("outbound", "busy")
    waiting = await rest.get(f"/api/work-items/{item}")
    assert waiting["status"] in ("new", "offered"), waiting

    # the customer is free now; the item comes back after the rule's wait, attempt two
    await driver.db("pstn13698765432", "answer:1:60")
    seen = len(desk.messages)
    again = len(driver.events)
    offer = await desk.wait_for(
        lambda m: (
            m.get("type") == "work_offer"
            and m.get("item_id") == item
            and desk.messages.index(m) >= seen
        ),
        timeout=CALLBACK_RETRY_S + 40,
    )
    assert offer["attempts"] == 1
    await rest.post(f"/api/agents/1002/work/{item}/accept")
    linkedid2, end2 = await dialled_customer(driver, "13698765432", again)
    assert linkedid2 != linkedid
    assert end2["DialStatus"] == "ANSWER"
    await driver.call_over(linkedid2)
    record2 = await stored_record(lab, linkedid2)
    assert (record2["direction"], record2["outcome"]) == ("outbound", "answered")
    await rest.post(f"/api/agents/1002/work/{item}/complete", {"disposition": "other"})
    stored = await rest.get(f"/api/work-items/{item}")
    assert stored["status"] == "done", stored
    contacts = await rest.get(f"/api/customers/{customer_id}/contacts")
    mine = [(c["channel"], c["outcome"]) for c in contacts if c["channel"] == "callback"]
    assert mine == [("callback", "answered")], contacts


def _relay(port: int, msg: EmailMessage) -> int:
    """One SMTP session as the mail relay runs it; the code it got for DATA."""
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.ehlo("relay.example")
        smtp.mail("reader@example.cn")
        smtp.rcpt("service@club.example")
        code, _ = smtp.data(msg.as_bytes(policy=msg.policy.clone(linesep="\r\n")))
    return int(code)


async def test_a_mail_to_the_smtp_port_is_offered_and_holding_it_pauses_the_agent_in_asterisk(
    lab: Lab, driver: Driver, floor: Floor, rest: Rest
) -> None:
    await floor.staff("1004")  # online-service: where e-mail goes when intake names no group
    desk = floor.desks["1004"]
    msg = EmailMessage()
    msg["From"] = "A Reader <reader@example.cn>"
    msg["To"] = "service@club.example"
    msg["Subject"] = "My March issue never arrived"
    msg.set_content("Could you send it again, please?")
    start = len(driver.events)
    assert await asyncio.to_thread(_relay, lab.smtp_port, msg) == 250

    offer = await desk.wait_for(
        lambda m: m.get("type") == "work_offer" and m.get("kind") == "email", timeout=30
    )
    assert offer["group"] == "online-service"
    item = int(offer["item_id"])
    stored = await rest.get(f"/api/work-items/{item}")
    assert stored["subject"] == "My March issue never arrived", stored
    await rest.post(f"/api/agents/1004/work/{item}/accept")

    # holding back-office work (not blended): paused in the voice queues, on the real Asterisk
    paused = await driver.wait_event(
        lambda e: (
            e.get("Event") == "QueueMemberPause"
            and "1004@" in e.get("Interface", "")
            and e.get("Paused") == "1"
        ),
        start=start,
    )
    assert paused.get("PausedReason") == "back-office", paused
    await rest.post(f"/api/agents/1004/work/{item}/complete", {"disposition": "other"})
    await driver.wait_event(
        lambda e: (
            e.get("Event") == "QueueMemberPause"
            and "1004@" in e.get("Interface", "")
            and e.get("Paused") == "0"
        ),
        start=driver.events.index(paused),
    )
    done = await rest.get(f"/api/work-items/{item}")
    assert done["status"] == "done", done


async def test_a_callback_whose_agent_never_picks_up_goes_back_to_the_list_for_another_agent(
    lab: Lab, driver: Driver, floor: Floor, rest: Rest
) -> None:
    customer = "+8613512345678"  # no customer's phone is rung: the agent never answers
    await floor.staff("1003")  # logged in, but the phone rings unanswered
    start = len(driver.events)
    item = await file_callback(rest, customer, "member-hotline")
    desk = floor.desks["1003"]
    await accept_offer(rest, desk, item)
    rung = await driver.wait_event(
        lambda e: e.get("Event") == "DialBegin" and "1003@test-phone" in e.get("DestChannel", ""),
        start=start,
    )
    # [agent-phone] rings 30 s; the end of that call gives the item back, before the backend's
    # own watchdog (CALLBACK_DIAL_TIMEOUT_S, 40 s in the lab) would
    back = await update(desk, item, "retry", timeout=45)
    assert back["outcome"] == "agent_no_answer"
    assert not [
        e
        for e in driver.events[start:]
        if e.get("Event") == "DialBegin" and "@test-pstn" in e.get("DestChannel", "")
    ], "the customer was rung although the agent never answered"
    await driver.call_over(rung["Linkedid"])
    # not an attempt on the customer, and never offered to the same agent again
    stored = await rest.get(f"/api/work-items/{item}")
    assert stored["status"] in ("new", "offered"), stored
    mine = await rest.get("/api/agents/1003/work")
    assert item not in [w["id"] for w in mine], mine
