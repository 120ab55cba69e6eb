"""Webhooks: deliveries/s with a slow subscriber present, and pop latency with 10 subscribers.

1. Deliveries/s: the webhook service (SQLite outbox, httpx sender) gets --events call events for
   two subscribers on loopback: one answering at once, one that hangs (1 s timeout). Measured from
   the first event handed to the fact handler to the fast subscriber's last 2xx; the fact
   handler's own cost per event is reported too.
2. Pop latency: bench/pop_latency.py's path (simulated Asterisk -> backend process -> agent
   websockets) at a small setting, run twice on the same seeded database: without webhook
   subscribers, then with 10 (9 answering, 1 hanging) subscribed to every call event. For a p99
   that means something give it >= 300 pops a run, e.g.
   `--agents 100 --rate 12 --seconds 30` (about 360 pops, 2.5 minutes in all).

The last line is `key=value` pairs.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from pop_latency import bench as pop_bench
from pop_latency import common_arguments

# the loopback receivers of the tests (real HTTP servers)
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from callcenter.adapters.db.database import Database
from callcenter.adapters.db.migrate import upgrade
from callcenter.adapters.db.repo_webhooks import SqlWebhookOutbox
from callcenter.adapters.webhook_http import HttpxWebhookSender
from callcenter.seeding.loader import seed_database
from callcenter.services.webhooks import WebhookService
from callcenter.services.webhooks_delivery import RetryPolicy
from support.receivers import Receiver, call_facts

CALL_EVENTS = ["call.ringing", "call.answered", "call.ended"]
TRUTH = ("sockets_refused", "rings_without_pop", "incomplete_pops")
SECRET = "bench-webhook-secret-0123"


async def deliveries_per_second(url: str, events: int, with_slow: bool) -> dict[str, Any]:
    """Deliveries/s to one fast subscriber, with or without a hanging one beside it."""

    fast = await Receiver().start()
    slow = await Receiver("hang").start()
    db = Database.open(url)
    svc = WebhookService(
        outbox=SqlWebhookOutbox(db.sessions),
        sender=HttpxWebhookSender(timeout_s=1.0),
        policy=RetryPolicy(base_s=0.5, max_attempts=3),
        flush_interval_s=0.05,
    )
    await svc.start()
    try:
        await svc.subscribe(url=fast.url, events=CALL_EVENTS, secret=SECRET)
        if with_slow:
            await svc.subscribe(url=slow.url, events=CALL_EVENTS, secret=SECRET)
        facts = call_facts(events // 3)
        started = time.perf_counter()
        for fact in facts:
            svc.on_fact(fact)
        handler_us = (time.perf_counter() - started) / len(facts) * 1e6
        while len(fast.received) < len(facts):
            await asyncio.sleep(0.01)
        took = time.perf_counter() - started
    finally:
        await svc.aclose()
        await db.aclose()
        await fast.stop()
        await slow.stop()
    return {
        "deliveries_per_s": round(len(facts) / took, 1),
        "fact_handler_us": round(handler_us, 2),
        "slow_received": len(slow.received),
    }


class ReceiverThread:
    """10 subscribers (9 answering, 1 hanging) on their own event loop and thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.urls: list[str] = []
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def start(self) -> list[str]:
        self._thread.start()
        modes = ["ok"] * 9 + ["hang"]
        self.receivers = [
            asyncio.run_coroutine_threadsafe(Receiver(m).start(), self.loop).result(10)
            for m in modes
        ]
        return [r.url for r in self.receivers]

    def received(self) -> int:
        return sum(len(r.received) for r in self.receivers)

    def stop(self) -> None:
        for r in self.receivers:
            asyncio.run_coroutine_threadsafe(r.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)


async def subscribe_all(url: str, urls: list[str]) -> None:
    db = Database.open(url)
    outbox = SqlWebhookOutbox(db.sessions)
    try:
        for target in urls:
            await outbox.add_subscription(
                url=target, events=CALL_EVENTS, secret=SECRET, group=None, direction=None
            )
    finally:
        await db.aclose()


async def bench(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        hooks_url = f"sqlite+aiosqlite:///{Path(tmp) / 'hooks.db'}"
        await upgrade(hooks_url)
        alone = await deliveries_per_second(hooks_url, args.events, with_slow=False)
        hooks2_url = f"sqlite+aiosqlite:///{Path(tmp) / 'hooks2.db'}"
        await upgrade(hooks2_url)
        slow = await deliveries_per_second(hooks2_url, args.events, with_slow=True)
        figures = {
            "deliveries_per_s_alone": alone["deliveries_per_s"],
            "deliveries_per_s_with_slow": slow["deliveries_per_s"],
            "fact_handler_us": slow["fact_handler_us"],
            "slow_subscriber_requests": slow["slow_received"],
        }
        pop_url = f"sqlite+aiosqlite:///{Path(tmp) / 'pop.db'}"
        await upgrade(pop_url)
        await seed_database(pop_url, customers=args.customers, seed=args.seed)
        args.database_url = pop_url
        without = await pop_bench(args)
        receivers = ReceiverThread()
        await subscribe_all(pop_url, receivers.start())
        try:
            with_subs = await pop_bench(args)
            webhook_requests = receivers.received()
        finally:
            receivers.stop()
    return {
        **figures,
        "pop_p50_ms_0subs": without["pop_p50_ms"],
        "pop_p99_ms_0subs": without["pop_p99_ms"],
        "pop_p50_ms_10subs": with_subs["pop_p50_ms"],
        "pop_p99_ms_10subs": with_subs["pop_p99_ms"],
        "server_within_10ms_pct_0subs": without["server_pops_within_10ms_pct"],
        "server_within_10ms_pct_10subs": with_subs["server_pops_within_10ms_pct"],
        "pops_0subs": without["pops"],
        "pops_10subs": with_subs["pops"],
        "webhook_requests_10subs": webhook_requests,
        **{f"{k}_0subs": without[k] for k in TRUTH},
        **{f"{k}_10subs": with_subs[k] for k in TRUTH},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    common_arguments(parser)
    parser.add_argument("--events", type=int, default=600, help="events for deliveries/s")
    parser.add_argument("--agents", type=int, default=10, help="agents with a desktop socket")
    parser.add_argument("--customers", type=int, default=200, help="customers to seed")
    parser.set_defaults(rate=4.0, seconds=6.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    figures = asyncio.run(bench(args))
    print(" ".join(f"{k}={v}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
