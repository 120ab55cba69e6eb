"""Keep my place taken by the backend on a real Asterisk: a caller who waits past
CALLBACK_WITHDRAW_AFTER_S in a watched queue is withdrawn with QueueWithdrawCaller by the backend
itself, hears the callback prompt, and is owed one callback item in their place."""

from __future__ import annotations

import time

from driver import Driver
from floor import Rest, assert_agrees_with_queue_log, queue_log_call, stored_record
from lab import WITHDRAW_AFTER_S, Lab
from test_pbx_inbound import owed_item

from conftest import Floor


async def test_a_caller_waiting_too_long_is_withdrawn_by_the_backend_and_owed_a_callback(
    lab: Lab, driver: Driver, floor: Floor, rest: Rest
) -> None:
    caller = "+8613000000511"
    linkedid = await driver.call("4008001005", caller=caller, hold=60)  # documents: nobody in
    join = await driver.wait_event(
        lambda e: e.get("Event") == "QueueCallerJoin" and e.get("Linkedid") == linkedid
    )
    joined = time.monotonic()
    assert join["Queue"] == "documents"
    status = await driver.wait_event(
        lambda e: (
            e.get("Event") == "VarSet"
            and e.get("Variable") == "QUEUESTATUS"
            and e.get("Linkedid") == linkedid
        ),
        timeout=WITHDRAW_AFTER_S + 10,
    )
    waited = time.monotonic() - joined
    assert status["Value"] == "WITHDRAW"  # nobody but the backend sent it
    assert WITHDRAW_AFTER_S - 0.5 <= waited <= WITHDRAW_AFTER_S + 3, waited
    await driver.call_over(linkedid)  # the prompt, then the dialplan hangs up: not the hold

    record = await stored_record(lab, linkedid)
    assert record["outcome"] == "callback_requested"
    assert record["queues"] == ["documents"]
    assert_agrees_with_queue_log(record, queue_log_call(lab.queue_log, driver.uniqueids(linkedid)))
    owed = await owed_item(rest, linkedid)
    assert (owed["kind"], owed["source"], owed["group"], owed["caller"]) == (
        "callback",
        "queue",
        "documents",
        caller,
    )
    # closed here, so that no later test's agent is offered it
    await rest.post(f"/api/work-items/{owed['id']}/status", {"status": "cancelled"})
