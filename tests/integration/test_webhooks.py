"""Webhooks against real HTTP receivers: signed, ordered, retried, dead-lettered, never lost."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from callcenter.adapters.db.database import Database
from callcenter.adapters.db.repo_webhooks import SqlWebhookOutbox
from callcenter.adapters.webhook_http import HttpxWebhookSender
from callcenter.services.webhooks import WebhookService
from callcenter.services.webhooks_delivery import RetryPolicy
from support.receivers import Receiver, call_facts
from support.servekit import until

SECRET = "crm-secret-0123456789"
FAST = RetryPolicy(base_s=0.05, factor=2.0, cap_s=0.4, max_attempts=4, idle_poll_s=0.2)


def sequence(items: list[object]) -> list[tuple[str, str]]:
    """(event type, linkedid) in arrival order."""
    out = []
    for item in items:
        body = item.json  # type: ignore[attr-defined]
        out.append((body["type"], body["data"]["linkedid"]))
    return out


@asynccontextmanager
async def service(url: str, **kw: object) -> AsyncIterator[WebhookService]:
    db = Database.open(url)
    svc = WebhookService(
        outbox=SqlWebhookOutbox(db.sessions),
        sender=HttpxWebhookSender(timeout_s=float(kw.pop("timeout_s", 2.0))),  # type: ignore[arg-type]
        policy=kw.pop("policy", FAST),  # type: ignore[arg-type]
        flush_interval_s=0.02,
        **kw,  # type: ignore[arg-type]
    )
    await svc.start()
    try:
        yield svc
    finally:
        await svc.aclose()
        await db.aclose()


async def test_crm_gets_every_call_in_order_across_restart_and_outage(database_url: str) -> None:
    """Figure: 40 calls (120 events); the CRM is down for calls 10-24 and the backend restarts
    after call 19 -> the CRM verifies every signature and holds all 120 events, in order.
    (The outage is shorter than the retry budget: 60 attempts, backoff capped at 0.2 s.)"""
    crm = await Receiver().start()
    facts = call_facts(40)
    patient = RetryPolicy(base_s=0.02, cap_s=0.2, max_attempts=60, idle_poll_s=0.2)
    async with service(database_url, policy=patient) as svc:
        sub = await svc.subscribe(url=crm.url, events=["call.ringing", "call.answered",
                                                       "call.ended"], secret=SECRET)  # fmt: skip
        for fact in facts[:30]:
            svc.on_fact(fact)
        await until(lambda: len(crm.ok(SECRET)) >= 30)
        await crm.stop()  # outage
        for fact in facts[30:60]:
            svc.on_fact(fact)
        await asyncio.sleep(0.3)  # retries fail meanwhile
    # backend restarted: a new service over the same database; the CRM is still down
    async with service(database_url, policy=patient) as svc:
        assert [s.id for s in await svc.subscriptions()] == [sub.id]
        for fact in facts[60:75]:
            svc.on_fact(fact)
        await asyncio.sleep(0.2)
        await crm.start()  # back, same port
        for fact in facts[75:]:
            svc.on_fact(fact)
        await until(lambda: len(crm.ok(SECRET)) >= 120)
        assert svc.stats.dead == 0
    got = crm.ok(SECRET)
    assert all(r.signed_by(SECRET) for r in got)
    expected = [(f"call.{k}", f"c{i:04d}") for i in range(40) for k in ("ringing", "answered",
                                                                        "ended")]  # fmt: skip
    assert sequence(got) == expected  # none lost, none out of order
    assert {r.event for r in got} == {"call.ringing", "call.answered", "call.ended"}
    assert not crm.ok("another-secret-000000")  # a wrong secret verifies nothing


async def test_500_then_200_is_retried_and_the_next_waits(database_url: str) -> None:
    """Figure: the receiver answers 500, 500, then 200 -> the first event arrives on its third
    attempt, the second only after it: order 1, 1, 1, 2."""
    crm = await Receiver([500, 500]).start()
    async with service(database_url) as svc:
        await svc.subscribe(url=crm.url, events=["call.ringing"], secret=SECRET)
        for fact in call_facts(2)[::3]:  # two ringing facts
            svc.on_fact(fact)
        await until(lambda: len(crm.ok(SECRET)) == 2)
    seen = [(r.status, r.json["data"]["linkedid"]) for r in crm.received]
    assert seen == [(500, "c0000"), (500, "c0000"), (200, "c0000"), (200, "c0001")]
    assert len({r.delivery for r in crm.received[:3]}) == 1  # same delivery id on every retry


async def test_failing_receiver_dead_letters_then_replay_delivers(database_url: str) -> None:
    """Figure: always 500, 4 attempts -> both events dead-lettered with the error, listed; the
    receiver heals, replay -> both delivered, in their original order."""
    crm = await Receiver("fail").start()
    async with service(database_url) as svc:
        sub = await svc.subscribe(url=crm.url, events=["call.ended"], secret=SECRET)
        for fact in call_facts(2)[2::3]:
            svc.on_fact(fact)
        await until(lambda: svc.stats.dead == 2)
        dead = await svc.dead_letters(sub.id)
        assert [d.attempts for d in dead] == [4, 4]
        assert [d.last_error for d in dead] == ["HTTP 500", "HTTP 500"]
        assert len(crm.received) == 8
        crm.mode = "ok"
        assert await svc.replay([d.id for d in dead]) == 2
        await until(lambda: len(crm.ok(SECRET)) == 2)
        assert await svc.dead_letters(sub.id) == []
    assert sequence(crm.ok(SECRET)) == [("call.ended", "c0000"), ("call.ended", "c0001")]


async def test_hanging_receiver_slows_neither_facts_nor_other_subscribers(
    database_url: str,
) -> None:
    """Figure: one subscriber never answers (1 s timeout), another is healthy; 300 facts ->
    handling each fact stays under 1 ms on average, and the healthy one gets all 300 events
    while the hanging one is still at its first few, in the same order."""
    hang = await Receiver("hang").start()
    crm = await Receiver().start()
    async with service(database_url, timeout_s=1.0) as svc:
        await svc.subscribe(url=hang.url, events=["call.ringing", "call.answered",
                                                  "call.ended"], secret=SECRET)  # fmt: skip
        await svc.subscribe(url=crm.url, events=["call.ringing", "call.answered",
                                                 "call.ended"], secret=SECRET)  # fmt: skip
        facts = call_facts(100)
        started = time.perf_counter()
        for fact in facts:
            svc.on_fact(fact)
        per_fact = (time.perf_counter() - started) / len(facts)
        assert per_fact < 0.001
        await until(lambda: len(crm.ok(SECRET)) == 300)
        # The hanging line moves only as each head times out 4 times and is dead-lettered.
        heads = list(dict.fromkeys(r.delivery for r in hang.received))
        assert len(heads) < 300
        assert len(hang.received) <= 4 * len(heads)
        firsts = sequence(list({r.delivery: r for r in reversed(hang.received)}.values())[::-1])
        assert firsts == sequence(crm.ok(SECRET))[: len(firsts)]
    await hang.stop()
    await crm.stop()


async def test_filters_and_a_full_buffer(database_url: str) -> None:
    """Figure: a subscriber filtered to group 'orders' and one to 'outbound'; 2 calls in
    q-orders and 1 in q-books -> 2 and 0 deliveries. A buffer of 5 takes 5 of 9 facts and
    counts 4 dropped (logged), never raising into the caller."""
    orders = await Receiver().start()
    outbound = await Receiver().start()
    async with service(database_url) as svc:
        svc.group_of = {"q-orders": "orders", "q-books": "books"}
        await svc.subscribe(url=orders.url, events=["call.ringing"], secret=SECRET,
                            group="orders")  # fmt: skip
        await svc.subscribe(url=outbound.url, events=["call.ringing"], secret=SECRET,
                            direction="outbound")  # fmt: skip
        for fact in [*call_facts(2), *call_facts(1, "q-books")]:
            svc.on_fact(fact)
        await until(lambda: len(orders.ok(SECRET)) == 2)
        await asyncio.sleep(0.2)
        assert outbound.received == []
        assert {r.json["data"]["group"] for r in orders.ok(SECRET)} == {"orders"}
    async with service(database_url, buffer_size=5) as svc:
        svc.pump.flush_interval_s = 3600  # keep the buffer full for this figure
        for fact in call_facts(3):
            svc.on_fact(fact)
        assert svc.dropped == 4
        assert svc.depth >= 5


async def test_two_processes_one_deliverer(database_url: str) -> None:
    """Figure: scaled out, process A only enqueues (webhook_deliver false) and takes the new
    subscription; process B delivers and learns of it within its refresh -> the CRM gets A's
    6 events once each, in order."""
    crm = await Receiver().start()
    async with (
        service(database_url, deliver=False, refresh_s=0.1) as a,
        service(database_url, refresh_s=0.1) as b,
    ):
        await a.subscribe(url=crm.url, events=["call.ringing", "call.ended"], secret=SECRET)
        await until(lambda: len(b.pump.workers) == 1)
        for fact in call_facts(3):
            a.on_fact(fact)
        await until(lambda: len(crm.ok(SECRET)) == 6)
        assert a.pump.workers == {}
    got = sequence(crm.ok(SECRET))
    assert got == [(f"call.{k}", f"c{i:04d}") for i in range(3) for k in ("ringing", "ended")]
    assert len(crm.received) == 6


async def test_a_disposition_carries_the_group_of_its_ended_call(database_url: str) -> None:
    """Figure: a call in q-orders ends, then its disposition 'order_status' (settled) -> a
    subscriber filtered to group 'orders' gets call.disposition with group 'orders'; one of
    another call never seen ended is not sent to it."""
    from callcenter.domain.access.auth import Principal
    from callcenter.services.dispositions import Disposition

    crm = await Receiver().start()
    async with service(database_url) as svc:
        svc.group_of = {"q-orders": "orders"}
        await svc.subscribe(url=crm.url, events=["call.disposition"], secret=SECRET, group="orders")
        svc.on_fact(call_facts(1)[2])  # c0000 ended
        for linkedid in ("c0000", "c9999"):
            item = Disposition(
                linkedid, "order_status", True, None, "1001", Principal("supervisor")
            )
            svc.on_disposition(pbx="pbx1", item=item)
        await until(lambda: len(crm.ok(SECRET)) == 1)
        await asyncio.sleep(0.2)
    data = crm.ok(SECRET)[0].json["data"]
    assert (data["linkedid"], data["code"], data["settled"], data["group"]) == (
        "c0000", "order_status", True, "orders",
    )  # fmt: skip
    assert len(crm.received) == 1
