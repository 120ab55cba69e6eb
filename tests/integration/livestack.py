"""A whole backend on real sockets for tests: simulated Asterisk, uvicorn, websocket clients."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import uvicorn
import websockets

from callcenter.adapters.db.engine import make_engine, make_session_factory
from callcenter.adapters.db.uow import SqlUnitOfWork
from callcenter.app import create_app
from callcenter.domain.records import NewCustomer, OrderItem, PhoneInput, Skill
from callcenter.runtime import Runtime
from callcenter.services.tokens import create_token
from callcenter.settings import AmiServer, Settings
from callcenter.sim.server import SimulatedAsterisk

SECRET = "test-secret"
TRACE_AGENTS = {
    "1001": ("Wang Fang", ("member-hotline",)),
    "1002": ("Zhang Wei", ("member-hotline",)),
    "1003": ("Liu Yang", ("member-hotline", "online-service")),
}


async def seed_floor(database_url: str) -> dict[str, int]:
    """Three hotline agents and a senior member, Li Wei, with a shipped order."""
    engine = make_engine(database_url)
    try:
        return await _seed(SqlUnitOfWork(make_session_factory(engine)))
    finally:
        await engine.dispose()


async def _seed(work: SqlUnitOfWork) -> dict[str, int]:
    ids: dict[str, int] = {}
    async with work as uow:
        for code, (name, groups) in TRACE_AGENTS.items():
            await uow.agents.add(
                code=code,
                name=name,
                interface=f"Local/{code}@agents/n",
                state_interface=f"Custom:agent{code}",
                skills=[Skill(group_slug=g, level=10) for g in groups],
            )
        ids["li_wei"] = await uow.customers.add(
            customer=NewCustomer(
                member_number="M0000001",
                name="Li Wei",
                segment="senior",
                member_since=date(2019, 5, 1),
                phones=(
                    PhoneInput(raw="+86 138 0013 8000", e164="+8613800138000", is_primary=True),
                ),
            )
        )
        await uow.orders.add(
            customer_id=ids["li_wei"],
            order_number="BK-2026-0042",
            channel="web",
            status="shipped",
            placed_at=datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
            items=[
                OrderItem(
                    title="The Three-Body Problem",
                    isbn="9787536692930",
                    quantity=1,
                    unit_price=Decimal("59.80"),
                )
            ],
        )
        await uow.commit()
    return ids


@dataclass
class AgentSocket:
    """One desktop's websocket: every message it received, in order."""

    code: str
    ws: Any
    received: list[dict[str, Any]] = field(default_factory=list)

    async def next(self, type_: str, timeout: float = 10.0, **match: Any) -> dict[str, Any]:
        """The next message of this type (and matching payload keys), reading as needed."""
        async with asyncio.timeout(timeout):
            while True:
                msg = json.loads(await self.ws.recv())
                self.received.append(msg)
                if msg.get("type") == type_ and all(msg.get(k) == v for k, v in match.items()):
                    return msg

    async def drain(self, seconds: float) -> list[dict[str, Any]]:
        """Whatever arrives within `seconds`."""
        got: list[dict[str, Any]] = []
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                while True:
                    msg = json.loads(await self.ws.recv())
                    self.received.append(msg)
                    got.append(msg)
        return got


@dataclass
class LiveStack:
    """The running pieces of one test."""

    sim: SimulatedAsterisk
    runtime: Runtime
    http_port: int
    ids: dict[str, int]

    async def agent_socket(
        self, code: str, *, since: int | None = None, gen: str | None = None
    ) -> AgentSocket:
        """A logged-in desktop websocket for agent `code`."""
        token, _ = await create_token(uow=self.runtime.uow, role="agent", agent_code=code)
        ws = await websockets.connect(f"ws://127.0.0.1:{self.http_port}/ws/agent")
        hello: dict[str, Any] = {"type": "hello", "token": token}
        if since is not None:
            hello.update(since=since, gen=gen)
        await ws.send(json.dumps(hello))
        return AgentSocket(code, ws)

    async def settled(self, timeout: float = 15.0) -> None:
        """Wait until the simulator is idle, no call is live and every record is written."""
        await self.sim.wait_idle()
        tracker = self.runtime.pipelines["pbx1"].tracker
        async with asyncio.timeout(timeout):
            while tracker.live_calls("pbx1"):
                await asyncio.sleep(0.02)
        assert await self.runtime.store.flushed(timeout)

    async def ami_connected(self, connects: int = 1, timeout: float = 10.0) -> None:
        """Wait until the listener has logged in `connects` times."""
        listener = self.runtime.listeners["pbx1"]
        async with asyncio.timeout(timeout):
            while not (listener.connected and listener.connects >= connects):
                await asyncio.sleep(0.02)


@contextlib.asynccontextmanager
async def live_stack(database_url: str, *, time_scale: float = 0.05) -> AsyncIterator[LiveStack]:
    """Seeded floor, simulated Asterisk + the app under uvicorn on free ports; torn down after."""
    ids = await seed_floor(database_url)
    sim = SimulatedAsterisk("callcenter", SECRET, time_scale=time_scale, seed=7)
    ami_port = await sim.start(port=0)
    settings = Settings(
        database_url=database_url,
        ami_servers=[AmiServer(name="pbx1", port=ami_port, secret=SECRET)],  # type: ignore[arg-type]
        agi_enabled=False,
    )
    app = create_app(settings)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(15):
            while not server.started:
                await asyncio.sleep(0.02)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield LiveStack(sim=sim, runtime=app.state.runtime, http_port=port, ids=ids)
    finally:
        server.should_exit = True
        await serving
        await sim.stop()
