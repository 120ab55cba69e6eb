"""Two `callcenter serve` processes on one PostgreSQL, one Redis and one simulated Asterisk.

Only one process logs in to the AMI (advisory lock); a pop made there reaches an agent whose
websocket is on the other process; a websocket resumed with `since` on the other process gets
exactly what it missed; kill -9 of the listening process: the other logs in, and later calls
still pop and are recorded, none lost and none twice.

"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import websockets
from sqlalchemy import select

from callcenter.adapters.db.engine import make_engine, make_session_factory
from callcenter.adapters.db.tables_calls import CallRecordRow
from callcenter.adapters.db.tables_customers import ContactRow
from callcenter.adapters.db.uow import SqlUnitOfWork
from callcenter.services.tokens import create_token
from callcenter.sim.server import SimulatedAsterisk
from support.livestack import SECRET, seed_floor
from support.servekit import Served, free_port, ready, until

REDIS_URL = os.environ.get("CALLCENTER_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI", "").lower() == "true"
LEADING = "this process is the listener"


@dataclass
class Node:
    """One serve process."""

    name: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    def leading(self) -> bool:
        return LEADING in self.log.read_text(errors="replace")

    def alive(self) -> bool:
        return self.proc.poll() is None


@pytest.fixture
def bus_prefix(redis_prefix: str) -> str:
    """This test's own Redis key prefix (the shared fixture deletes its keys after)."""
    return redis_prefix


@contextlib.asynccontextmanager
async def cluster(
    database_url: str, prefix: str, tmp: Path
) -> AsyncIterator[tuple[SimulatedAsterisk, list[Node]]]:
    """The simulated Asterisk here and two serve processes pointing at it."""
    sim = SimulatedAsterisk("callcenter", SECRET, time_scale=0.05, seed=11)
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
            nodes.append(Node(name, port, _spawn(env, log), log))
        for n in nodes:  # answering HTTP, not just listening: the port may not be ours yet
            await ready(n.port, n.proc)
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


async def _desks_on(node: Node, count: int) -> None:
    """Wait until the node reports `count` agent sockets subscribed (their hello checked)."""
    served = Served(node.proc, node.port, 0, node.log)
    async with asyncio.timeout(20):
        while await served.metric('callcenter_ws_clients{stream="agent"}') != count:
            await asyncio.sleep(0.1)


def _ami_logins(sim: SimulatedAsterisk) -> int:
    return sum(1 for s in sim.sessions if s.authenticated)


class Desk:
    """An agent desktop websocket on one node."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.got: list[dict[str, Any]] = []

    async def next(self, type_: str, timeout: float = 15.0, **match: Any) -> dict[str, Any]:
        async with asyncio.timeout(timeout):
            while True:
                msg = json.loads(await self.ws.recv())
                self.got.append(msg)
                if msg["type"] == type_ and all(msg.get(k) == v for k, v in match.items()):
                    return msg

    async def drain(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                while True:
                    self.got.append(json.loads(await self.ws.recv()))


async def desk(node: Node, token: str, **resume: Any) -> Desk:
    ws = await websockets.connect(f"ws://127.0.0.1:{node.port}/ws/agent")
    await ws.send(json.dumps({"type": "hello", "token": token, **resume}))
    return Desk(ws)


async def _recorded(database_url: str) -> tuple[list[str], list[str | None]]:
    """Linkedids of the stored call records and of the call contact rows."""
    engine = make_engine(database_url)
    try:
        async with make_session_factory(engine)() as session:
            calls = (await session.execute(select(CallRecordRow.linkedid))).scalars().all()
            contacts = (await session.execute(select(ContactRow.call_linkedid))).scalars().all()
            return list(calls), [c for c in contacts if c is not None]
    finally:
        await engine.dispose()


async def _until_recorded(database_url: str, linkedids: set[str], timeout: float = 30.0) -> None:
    async with asyncio.timeout(timeout):
        while not linkedids <= set((await _recorded(database_url))[0]):
            await asyncio.sleep(0.2)


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_two_processes_one_listener_pops_anywhere_failover_loses_nothing(
    database_url: str, bus_prefix: str, tmp_path: Path
) -> None:
    await seed_floor(database_url)
    engine = make_engine(database_url)
    sessions = make_session_factory(engine)
    tokens = {
        code: (
            await create_token(uow=lambda: SqlUnitOfWork(sessions), role="agent", agent_code=code)
        )[0]
        for code in ("1001", "1002")
    }
    await engine.dispose()
    async with cluster(database_url, bus_prefix, tmp_path) as (sim, nodes):
        await until(lambda: _ami_logins(sim) == 1, what="one AMI login")
        await until(lambda: any(n.leading() for n in nodes), what="a leader")
        await asyncio.sleep(1.5)  # a second process would have logged in by now
        assert _ami_logins(sim) == 1
        leader = next(n for n in nodes if n.leading())
        other = next(n for n in nodes if n is not leader)
        assert not other.leading()

        # A pop made on the leader reaches a desktop connected to the other process.
        wang = await desk(other, tokens["1001"])
        zhang = await desk(leader, tokens["1002"])
        await _desks_on(other, 1)
        await _desks_on(leader, 1)
        first = sim.place_call(
            "+8613800138000", "Li Wei", "8001", answer_by="1001", agent_answers_after=1, talk_s=2
        )
        pop = await wang.next("screen_pop", complete=True)
        assert pop["call"]["linkedid"] == first
        assert pop["bundle"]["customer"]["name"] == "Li Wei"
        await wang.next("call_update", state="ended")

        # Zhang's desktop, on the leader, sees a call of its own, drops, and is resumed on the
        # other process.
        warm = sim.place_call(None, None, "8001", answer_by="1002", agent_answers_after=1, talk_s=1)
        assert (await zhang.next("screen_pop"))["call"]["linkedid"] == warm
        await zhang.next("call_update", state="ended")
        await zhang.drain(0.5)
        last = [m for m in zhang.got if m["type"] != "resync"][-1]
        await zhang.ws.close()
        second = sim.place_call(
            None, None, "8001", answer_by="1002", agent_answers_after=1, talk_s=2
        )
        await _until_recorded(database_url, {first, warm, second})
        resumed = await desk(other, tokens["1002"], since=last["seq"], gen=last["gen"])
        await resumed.drain(1.5)
        missed = resumed.got
        assert missed, "the resumed desktop got nothing"
        seqs = [m["seq"] for m in missed]
        assert seqs == list(range(last["seq"] + 1, last["seq"] + 1 + len(missed)))
        assert {m["gen"] for m in missed} == {last["gen"]}
        pops = [m for m in missed if m["type"] == "screen_pop"]
        assert pops and {p["call"]["linkedid"] for p in pops} == {second}
        assert any(m["type"] == "call_update" and m["state"] == "ended" for m in missed)

        # kill -9 the listening process: the other logs in, resyncs and carries on.
        await wang.ws.close()
        await resumed.ws.close()
        leader.proc.send_signal(signal.SIGKILL)
        leader.proc.wait(10)
        await until(other.leading, 15, "the other process to take over")
        await until(lambda: _ami_logins(sim) == 1, 10, "the new AMI login")
        wang = await desk(other, tokens["1001"])
        await _desks_on(other, 1)
        third = sim.place_call(
            "+8613800138000", "Li Wei", "8001", answer_by="1001", agent_answers_after=1, talk_s=2
        )
        pop = await wang.next("screen_pop", complete=True)
        assert pop["call"]["linkedid"] == third
        await wang.next("call_update", state="ended")
        await _until_recorded(database_url, {first, warm, second, third})
        await asyncio.sleep(1.0)  # anything recorded twice would have landed by now
        calls, contacts = await _recorded(database_url)
        assert sorted(calls) == sorted({first, warm, second, third})
        for linkedid in (first, warm, second, third):
            assert contacts.count(linkedid) <= 1
        await wang.ws.close()
