"""Two `callcenter serve` processes on one PostgreSQL and one Redis: one webhook deliverer.

Both processes could deliver (webhook_deliver is left at its default); the leader lock makes
exactly one do it. Calls on the simulated Asterisk produce call events on whichever process
listens to the AMI; the deliverer sends each exactly once. kill -9 of the deliverer: the other
process takes the lock and delivers the later calls' events, again exactly once each.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from callcenter.adapters.db.database import Database
from callcenter.adapters.db.repo_webhooks import SqlWebhookOutbox
from callcenter.sim.server import SimulatedAsterisk
from support.livestack import SECRET, seed_floor
from support.receivers import Receiver
from support.servekit import free_port, ready, until

REDIS_URL = os.environ.get("CALLCENTER_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
DELIVERING = "webhooks: this process is the deliverer"
HOOK_SECRET = "crm-secret-0123456789"
CALL_EVENTS = ["call.ringing", "call.answered", "call.ended"]


@dataclass
class Node:
    name: str
    proc: subprocess.Popen[bytes]
    log: Path

    def delivering(self) -> bool:
        """Became the deliverer (a killed process's log keeps the line: check `alive` too)."""
        return DELIVERING in self.log.read_text(errors="replace")

    def alive(self) -> bool:
        return self.proc.poll() is None


@contextlib.asynccontextmanager
async def cluster(
    database_url: str, prefix: str, tmp: Path
) -> AsyncIterator[tuple[SimulatedAsterisk, list[Node]]]:
    sim = SimulatedAsterisk("callcenter", SECRET, time_scale=0.05, seed=5)
    ami_port = await sim.start(port=0)
    nodes: list[Node] = []
    try:
        for name in ("a", "b"):
            port = free_port()
            env = {
                **os.environ,
                "CALLCENTER_DATABASE_URL": database_url,
                "CALLCENTER_BUS_URL": REDIS_URL,
                "CALLCENTER_BUS_PREFIX": prefix,
                "CALLCENTER_AMI_SERVERS": json.dumps(
                    [{"name": "pbx1", "port": ami_port, "secret": SECRET}]
                ),
                "CALLCENTER_AGI_ENABLED": "false",
                "CALLCENTER_HTTP_PORT": str(port),
                "CALLCENTER_LOG_LEVEL": "INFO",
            }
            log = tmp / f"node-{name}.log"
            nodes.append(Node(name, _spawn(env, log), log))
            await ready(port, nodes[-1].proc)
        yield sim, nodes
    finally:
        for n in nodes:
            if n.alive():
                n.proc.send_signal(signal.SIGTERM)
        for n in nodes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                n.proc.wait(10)
            if n.alive():
                n.proc.kill()
                n.proc.wait()
        await sim.stop()


def _spawn(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "callcenter", "serve"], env=env, stdout=out, stderr=out
        )


def _events(crm: Receiver) -> Counter[str]:
    """Event id -> how many correctly signed 2xx requests carried it."""
    return Counter(
        r.json["id"] for r in crm.received if r.status == 200 and r.signed_by(HOOK_SECRET)
    )


def _kinds(crm: Receiver) -> set[tuple[str, str]]:
    """(event type, linkedid) of everything received."""
    return {(r.json["type"], r.json["data"]["linkedid"]) for r in crm.received}


async def _outbox(database_url: str) -> dict[str, int]:
    """Deliveries in the outbox by status."""
    db = Database.open(database_url)
    try:
        async with db.engine.connect() as conn:
            rows = await conn.execute(
                text("SELECT status, count(*) FROM webhook_deliveries GROUP BY status")
            )
            return {str(status): int(n) for status, n in rows}
    finally:
        await db.aclose()


async def _calls(sim: SimulatedAsterisk, count: int) -> list[str]:
    linkedids = []
    for _ in range(count):
        linkedids.append(
            sim.place_call(None, None, "8001", answer_by="1001", agent_answers_after=1, talk_s=1)
        )
        await asyncio.sleep(0.3)
    return linkedids


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_one_deliverer_each_event_once_and_failover_on_kill(
    database_url: str, redis_prefix: str, tmp_path: Path
) -> None:
    """Figure: 3 calls (ringing, answered, ended; a call may ring more than once) with both
    processes up -> one deliverer, each event received once, every outbox row delivered;
    kill -9 of it, 3 more calls -> the other process delivers theirs, and the CRM holds each
    event exactly once (one request per event id and per delivery id)."""
    await seed_floor(database_url)
    crm = await Receiver().start()
    db = Database.open(database_url)
    try:
        await SqlWebhookOutbox(db.sessions).add_subscription(
            url=crm.url, events=CALL_EVENTS, secret=HOOK_SECRET, group=None, direction=None
        )
    finally:
        await db.aclose()
    try:
        async with cluster(database_url, redis_prefix, tmp_path) as (sim, nodes):
            await until(lambda: any(n.delivering() for n in nodes), 30, "a deliverer")
            await asyncio.sleep(2.0)  # a second deliverer would have started by now
            assert [n.delivering() for n in nodes].count(True) == 1
            deliverer = next(n for n in nodes if n.delivering())
            other = next(n for n in nodes if n is not deliverer)

            first = await _calls(sim, 3)
            wanted = {(e, c) for c in first for e in CALL_EVENTS}
            await until(lambda: _kinds(crm) >= wanted, 30, "the first calls' events")
            await asyncio.sleep(1.5)  # a duplicate (or a late one) would have landed by now
            before = _events(crm)
            assert set(before.values()) == {1}  # each event once
            assert await _outbox(database_url) == {"delivered": len(before)}
            assert len(crm.received) == len(before) >= 9

            deliverer.proc.send_signal(signal.SIGKILL)
            deliverer.proc.wait(10)
            await until(other.delivering, 20, "the other process to deliver")
            listening = "AMI pbx1: this process is the listener"
            await until(lambda: listening in other.log.read_text(errors="replace"), 20)
            await asyncio.sleep(1.0)  # its AMI login has resynced
            later = await _calls(sim, 3)
            wanted |= {(e, c) for c in later for e in CALL_EVENTS}
            await until(lambda: _kinds(crm) >= wanted, 30, "the later calls' events")
            await asyncio.sleep(1.5)
            after = _events(crm)
            assert set(after.values()) == {1}
            assert await _outbox(database_url) == {"delivered": len(after)}
            assert len(crm.received) == len(after) >= len(before) + 9
            assert len({r.delivery for r in crm.received}) == len(after)
    finally:
        await crm.stop()
