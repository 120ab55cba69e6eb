"""The one live-stack harness of the integration, fault and browser tests.

A seeded floor, a simulated Asterisk and the whole app under uvicorn on free ports, all on real
sockets; `stop()` / `start()` restart the app on the same port (browser tests), `agi=True` lets
the simulator ask our FastAGI server where each call goes (as the shipped dialplan does).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import uvicorn
import websockets

from callcenter.adapters.db.uow import SqlUnitOfWork
from callcenter.app import create_app
from callcenter.bootstrap import open_database
from callcenter.commands.serve import server_config
from callcenter.domain.agents.records import Skill
from callcenter.domain.customers.records import NewCustomer, PhoneInput
from callcenter.domain.orders import OrderItem
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
    async with open_database(database_url) as db:
        return await _seed(db.uow())


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
    """The running pieces of one test; `restart` keeps the simulator, the database and the port."""

    sim: SimulatedAsterisk
    settings: Settings
    ids: dict[str, int]
    http_port: int = 0
    wait_ami: bool = False  # start() waits until the listener is logged in
    _server: uvicorn.Server | None = None
    _serving: asyncio.Task[None] | None = None
    _app: Any = None

    @property
    def runtime(self) -> Runtime:
        """The running app's runtime."""
        runtime: Runtime = self._app.state.runtime
        return runtime

    def url(self, path: str) -> str:
        """An address on the running backend."""
        return f"http://127.0.0.1:{self.http_port}{path}"

    async def start(self) -> None:
        """Start the app under uvicorn (on the port it had before, if it ran already)."""
        self._app = create_app(self.settings)
        config = server_config(
            self._app,
            self.settings,
            host="127.0.0.1",
            port=self.http_port,
            log_level="warning",
            lifespan="on",
        )
        self._server = uvicorn.Server(config)
        self._serving = asyncio.create_task(self._server.serve())
        async with asyncio.timeout(15):
            while not self._server.started:
                if self._serving.done():
                    await self._serving
                    raise RuntimeError(f"uvicorn did not start on port {self.http_port}")
                await asyncio.sleep(0.02)
        self.http_port = self._server.servers[0].sockets[0].getsockname()[1]
        if self.settings.agi_enabled:
            assert self.runtime.agi is not None, "FastAGI did not start"
            self.sim.agi = f"agi://127.0.0.1:{self.runtime.agi.port}/route"
        if self.wait_ami:
            await self.ami_connected()

    async def stop(self) -> None:
        """Stop uvicorn and the app's runtime (open websockets are cut)."""
        if self._server is None or self._serving is None:
            return
        self._server.should_exit = True
        await self._serving
        self._server = self._serving = None

    async def restart(self) -> None:
        """A new process on the same port, database and simulated Asterisk."""
        await self.stop()
        await self.start()

    async def token(self, role: str, agent_code: str | None = None) -> str:
        """A fresh API token of this role."""
        token, _ = await create_token(uow=self.runtime.uow, role=role, agent_code=agent_code)  # type: ignore[arg-type]
        return token

    async def agent_socket(
        self, code: str, *, since: int | None = None, gen: str | None = None
    ) -> AgentSocket:
        """A logged-in desktop websocket for agent `code`."""
        token = await self.token("agent", code)
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
async def live_stack(
    database_url: str,
    *,
    time_scale: float = 0.05,
    agi: bool = False,
    seed: bool = True,
    wait_ami: bool = False,
    queue_log: Path | None = None,
    **overrides: Any,
) -> AsyncIterator[LiveStack]:
    """Seeded floor (agents 1001-1003, Li Wei), simulated Asterisk and the app on free ports.

    `overrides` are Settings fields; `seed=False` leaves the database as it is; with `queue_log`
    the simulator writes its queue_log there and the app is told to read it back.
    """
    ids = await seed_floor(database_url) if seed else {}
    sim = SimulatedAsterisk(
        "callcenter", SECRET, time_scale=time_scale, seed=7, queue_log=queue_log
    )
    ami_port = await sim.start(port=0)
    server = AmiServer(name="pbx1", port=ami_port, secret=SECRET, queue_log=queue_log)  # type: ignore[arg-type]
    settings = Settings(
        database_url=database_url,
        ami_servers=[server],
        agi_enabled=agi,
        agi_port=0,
        **overrides,
    )
    stack = LiveStack(sim=sim, settings=settings, ids=ids, wait_ami=wait_ami)
    try:
        await stack.start()
        yield stack
    finally:
        await stack.stop()
        await sim.stop()
