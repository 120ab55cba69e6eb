"""Any node serves any request: two `callcenter serve` processes, one Redis (behind a proxy we
can cut), one simulated Asterisk whose AMI connection only one of them holds.

Agent control on the other node reaches Asterisk as real actions and Asterisk's refusals come
back word for word; a revocation on one node closes the token's socket on the other at once;
after Redis is cut and back, both nodes' wallboards show the same figures again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest
import websockets

from callcenter.adapters.db.engine import make_engine, make_session_factory
from callcenter.adapters.db.uow import SqlUnitOfWork
from callcenter.domain.agents.records import Skill
from callcenter.services.tokens import create_token
from callcenter.sim.model import interface_of
from callcenter.sim.server import SimulatedAsterisk
from support.faults import TcpProxy
from support.livestack import SECRET, seed_floor
from support.servekit import free_port, ready, spawn, until

REDIS_URL = os.environ.get("CALLCENTER_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
LEADING = "this process is the listener"
NEWCOMER = "1011"  # in no simulated queue yet: logging in is a real QueueAdd


@dataclass
class Node:
    name: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    def leading(self) -> bool:
        return LEADING in self.log.read_text(errors="replace")

    def http(self, token: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{self.port}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=20,
        )


@contextlib.asynccontextmanager
async def cluster(
    database_url: str, prefix: str, tmp: Path
) -> AsyncIterator[tuple[SimulatedAsterisk, TcpProxy, Node, Node]]:
    """The simulated Asterisk, a cuttable proxy in front of Redis, and (leader, other)."""
    redis = urlparse(REDIS_URL)
    proxy = TcpProxy(redis.hostname or "127.0.0.1", redis.port or 6379)
    proxy_port = await proxy.start()
    sim = SimulatedAsterisk("callcenter", SECRET, time_scale=0.05, seed=11)
    ami_port = await sim.start(port=0)
    nodes: list[Node] = []
    try:
        for name in ("a", "b"):
            port = free_port()
            env = {
                **os.environ,
                "CALLCENTER_DATABASE_URL": database_url,
                "CALLCENTER_BUS_URL": f"redis://127.0.0.1:{proxy_port}{redis.path or '/0'}",
                "CALLCENTER_BUS_PREFIX": prefix,
                "CALLCENTER_AMI_SERVERS": json.dumps(
                    [{"name": "pbx1", "port": ami_port, "secret": SECRET}]
                ),
                "CALLCENTER_AGI_ENABLED": "false",
                "CALLCENTER_HTTP_PORT": str(port),
                "CALLCENTER_LOG_LEVEL": "INFO",
            }
            log = tmp / f"node-{name}.log"
            nodes.append(Node(name, port, spawn(env, log), log))
            if name == "a":  # a leads: it is up and listening before b starts
                await ready(port, nodes[0].proc)
                await until(nodes[0].leading, what="node a to hold the AMI connection")
        await ready(nodes[1].port, nodes[1].proc)
        await asyncio.sleep(1.0)  # both subscribed to the bus
        yield sim, proxy, nodes[0], nodes[1]
    finally:
        for n in nodes:
            if n.proc.poll() is None:
                n.proc.send_signal(signal.SIGTERM)
        for n in nodes:
            try:
                n.proc.wait(15)
            except subprocess.TimeoutExpired:
                n.proc.kill()
                n.proc.wait()
        await sim.stop()
        await proxy.close()


async def seed(database_url: str) -> dict[str, tuple[str, int]]:
    """The floor, the newcomer, and tokens: admin, supervisor, agents 1002 and 1011."""
    await seed_floor(database_url)
    engine = make_engine(database_url)
    try:
        uow = lambda: SqlUnitOfWork(make_session_factory(engine))  # noqa: E731
        async with uow() as work:
            await work.agents.add(
                code=NEWCOMER,
                name="Sun Hui",
                interface=interface_of(NEWCOMER),
                state_interface=f"Custom:agent{NEWCOMER}",
                skills=[Skill("member-hotline", 8)],
            )
            await work.commit()
        return {
            "admin": await create_token(uow=uow, role="admin"),
            "supervisor": await create_token(uow=uow, role="supervisor"),
            "1002": await create_token(uow=uow, role="agent", agent_code="1002"),
            NEWCOMER: await create_token(uow=uow, role="agent", agent_code=NEWCOMER),
        }
    finally:
        await engine.dispose()


def members(sim: SimulatedAsterisk, code: str) -> dict[str, Any]:
    iface = interface_of(code)
    return {q.name: q.members[iface] for q in sim.model.queues.values() if iface in q.members}


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_agent_control_and_revocation_work_on_the_node_without_the_ami_connection(
    database_url: str, redis_prefix: str, tmp_path: Path
) -> None:
    tokens = await seed(database_url)
    async with cluster(database_url, redis_prefix, tmp_path) as (sim, _, leader, other):
        assert not other.leading()
        # Login on the node without the AMI connection: a real QueueAdd on the PBX.
        async with other.http(tokens[NEWCOMER][0]) as http:
            reply = await http.post(f"/api/agents/{NEWCOMER}/login")
            assert reply.status_code == 200, reply.text
            assert [q["queue"] for q in reply.json()["queues"]] == ["member-hotline"]
            assert members(sim, NEWCOMER)["member-hotline"].penalty == 2
            reply = await http.post(f"/api/agents/{NEWCOMER}/pause", json={"reason": "Training"})
            assert reply.status_code == 200, reply.text
            assert members(sim, NEWCOMER)["member-hotline"].reason == "Training"
        # Asterisk's refusal on the leader comes back to this node's caller, word for word.
        async with other.http(tokens["admin"][0]) as http:
            reply = await http.post("/api/agents/1001/login")
            assert reply.status_code == 502
            assert reply.json() == {
                "detail": "QueueAdd failed: Unable to add interface: Already there"
            }
        # Revoked on the leader: the token's socket on the other node is closed at once.
        ws = await websockets.connect(f"ws://127.0.0.1:{other.port}/ws/agent")
        await ws.send(json.dumps({"type": "hello", "token": tokens["1002"][0]}))
        await asyncio.sleep(0.5)  # subscribed
        async with leader.http(tokens["admin"][0]) as http:
            reply = await http.post(f"/api/tokens/{tokens['1002'][1]}/revoke")
            assert reply.status_code == 200, reply.text
        async with asyncio.timeout(2):
            with contextlib.suppress(websockets.ConnectionClosed):
                while True:
                    await ws.recv()
        assert ws.close_code == 1008
        async with other.http(tokens["1002"][0]) as http:
            assert (await http.get("/api/me")).status_code == 401


def figures(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A wallboard snapshot without the moment it was made, nor the sparklines: each process
    samples its own (the most callers waiting it saw in each minute), so a node cut off from
    Redis for a minute keeps its own points for that minute (a known limit, in the README)."""
    return {k: v for k, v in snapshot.items() if k not in ("generated_at", "trend")}


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_wallboards_equal_again_after_redis_is_cut_and_back(
    database_url: str, redis_prefix: str, tmp_path: Path
) -> None:
    tokens = await seed(database_url)
    async with cluster(database_url, redis_prefix, tmp_path) as (sim, proxy, leader, other):
        a, b = leader.http(tokens["supervisor"][0]), other.http(tokens["supervisor"][0])
        async with a, b:

            async def boards() -> tuple[dict[str, Any], dict[str, Any]]:
                ra, rb = await a.get("/api/wallboard"), await b.get("/api/wallboard")
                return figures(ra.json()), figures(rb.json())

            async def until_equal(timeout: float) -> dict[str, Any]:
                one, two = await boards()
                deadline = asyncio.get_running_loop().time() + timeout
                while one != two and asyncio.get_running_loop().time() < deadline:
                    await asyncio.sleep(0.3)
                    one, two = await boards()
                assert one == two, "the two nodes' wallboards still differ"  # pytest shows where
                return one

            await until_equal(20)
            ws = await websockets.connect(f"ws://127.0.0.1:{other.port}/ws/agent")
            await ws.send(json.dumps({"type": "hello", "token": tokens["1002"][0]}))
            await asyncio.sleep(0.5)  # subscribed
            # Redis cut: connections reset, new ones hang. A call happens on the leader meanwhile,
            # and a token with a socket on the other node is revoked there.
            proxy.stall()
            proxy.drop()
            async with leader.http(tokens["admin"][0]) as admin:
                reply = await admin.post(f"/api/tokens/{tokens['1002'][1]}/revoke")
                assert reply.status_code == 200, reply.text
            linkedid = sim.place_call(
                "+8613800138000",
                "Li Wei",
                "8001",
                answer_by="1001",
                agent_answers_after=1,
                talk_s=1,
            )
            async with asyncio.timeout(30):
                while True:
                    one, two = await boards()
                    answered = [g.get("answered") for g in one["groups"]]
                    if one != two and any(answered):
                        break
                    await asyncio.sleep(0.3)
            assert linkedid
            assert ws.close_code is None  # the revocation could not reach the other node yet
            proxy.resume()
            board = await until_equal(30)
            assert any(g.get("answered") for g in board["groups"])
            # back on the bus, the other node re-checked its tokens and closed the revoked socket
            async with asyncio.timeout(5):
                with contextlib.suppress(websockets.ConnectionClosed):
                    while True:
                        await ws.recv()
            assert ws.close_code == 1008
