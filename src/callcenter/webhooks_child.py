"""The webhook process itself: a `WebhookPump` driven over a pipe (webhooks_wiring.PumpProcess).

It runs at a lower CPU priority with its own database engine and HTTP client, and exits the
moment its pipe closes: a killed server never leaves a deliverer behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from multiprocessing.connection import Connection
from typing import Any

REPORT_S = 0.1  # the figures reach the server this often when they change
CHILD_NICE = 19  # the lowest priority: on a busy machine the pops, desktops and AMI win the CPU


def run_child(conn: Connection, config: dict[str, Any]) -> None:
    """The webhook process: a `WebhookPump` driven over `conn` until told to close."""
    with contextlib.suppress(OSError):
        os.nice(CHILD_NICE)
    logging.basicConfig(
        level=config.get("log_level", "WARNING"),
        format="%(asctime)s %(levelname)s %(name)s[webhooks]: %(message)s",
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_child(conn, config))


async def _child(conn: Connection, config: dict[str, Any]) -> None:
    from callcenter.adapters.db.database import Database
    from callcenter.adapters.db.repo_webhooks import SqlWebhookOutbox
    from callcenter.adapters.webhook_http import HttpxWebhookSender
    from callcenter.services.webhooks_delivery import RetryPolicy
    from callcenter.services.webhooks_pump import WebhookPump

    db = Database.open(config["database_url"])
    latencies: list[float] = []
    pump = WebhookPump(
        outbox=SqlWebhookOutbox(db.sessions),
        sender=HttpxWebhookSender(timeout_s=config["timeout_s"]),
        policy=RetryPolicy(**config["policy"]),
        flush_interval_s=config["flush_interval_s"],
        refresh_s=config["refresh_s"],
        on_delivered=latencies.append,
    )
    inbox: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()

    def readable() -> None:
        try:
            while conn.poll():
                inbox.put_nowait(conn.recv())
        except (EOFError, OSError):
            os._exit(0)  # the server is gone: never deliver without the one holding the lock

    sent: dict[str, Any] = {}

    def report() -> None:
        figures = {
            "delivered": pump.stats.delivered, "failed": pump.stats.failed,
            "dead": pump.stats.dead, "pending": dict(pump.stats.pending),
            "enqueued": pump.enqueued,
        }  # fmt: skip
        if figures != sent or latencies:
            conn.send(("stats", figures, list(latencies)))
            latencies.clear()
            sent.clear()
            sent.update(figures)

    async def reporter() -> None:
        while True:
            await asyncio.sleep(REPORT_S)
            report()

    asyncio.get_running_loop().add_reader(conn.fileno(), readable)
    await pump.start()
    reporting = asyncio.create_task(reporter())
    while True:
        message = await inbox.get()
        if message[0] == "events":
            pump.buffer.extend(message[1])
            continue
        _, call_id, name, args = message
        try:
            result = await getattr(pump, name)(*args)
        except Exception as exc:
            conn.send(("error", call_id, repr(exc)))
            continue
        if name == "aclose":
            reporting.cancel()
            await db.aclose()
        report()  # the figures first: the server sees them when the call returns
        conn.send(("done", call_id, result))
        if name == "aclose":
            return
