"""The backend for browser tests: simulated Asterisk + the app under uvicorn, restartable."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from livestack import SECRET, seed_floor

from callcenter.app import create_app
from callcenter.runtime import Runtime
from callcenter.services.tokens import create_token
from callcenter.settings import AmiServer, Settings
from callcenter.sim.server import SimulatedAsterisk

log = logging.getLogger(__name__)


@dataclass
class BrowserStack:
    """One test's backend; `restart()` replaces uvicorn and the app on the same port."""

    database_url: str
    sim: SimulatedAsterisk
    settings: Settings
    ids: dict[str, int]
    port: int = 0
    _server: uvicorn.Server | None = None
    _serving: asyncio.Task[None] | None = None
    _app: Any = None
    tokens: list[str] = field(default_factory=list)

    @property
    def runtime(self) -> Runtime:
        """The running app's runtime."""
        runtime: Runtime = self._app.state.runtime
        return runtime

    def url(self, path: str) -> str:
        """An address on the running backend."""
        return f"http://127.0.0.1:{self.port}{path}"

    async def start(self) -> None:
        """Start the app (on the port it had before, if it ran already)."""
        self._app = create_app(self.settings)
        config = uvicorn.Config(
            self._app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on"
        )
        self._server = uvicorn.Server(config)
        self._serving = asyncio.create_task(self._server.serve())
        async with asyncio.timeout(15):
            while not self._server.started:
                if self._serving.done():
                    await self._serving
                    raise RuntimeError(f"uvicorn did not start on port {self.port}")
                await asyncio.sleep(0.02)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        await self.ami_connected()

    async def stop(self) -> None:
        """Stop uvicorn and the app's runtime (open websockets are cut)."""
        if self._server is None or self._serving is None:
            return
        self._server.should_exit = True
        await self._serving
        self._server = self._serving = None

    async def token(self, role: str, agent_code: str | None = None) -> str:
        """A fresh API token of this role."""
        token, _ = await create_token(uow=self.runtime.uow, role=role, agent_code=agent_code)  # type: ignore[arg-type]
        return token

    async def ami_connected(self, timeout: float = 10.0) -> None:
        """Wait until the listener is logged in to the simulated Asterisk."""
        listener = self.runtime.listeners["pbx1"]
        async with asyncio.timeout(timeout):
            while not listener.connected:
                await asyncio.sleep(0.02)

    async def settled(self, timeout: float = 15.0) -> None:
        """Wait until the simulator is idle and every call record is written."""
        await self.sim.wait_idle()
        tracker = self.runtime.pipelines["pbx1"].tracker
        async with asyncio.timeout(timeout):
            while tracker.live_calls("pbx1"):
                await asyncio.sleep(0.02)
        assert await self.runtime.store.flushed(timeout)


@contextlib.asynccontextmanager
async def browser_stack(
    database_url: str, *, time_scale: float = 0.05
) -> AsyncIterator[BrowserStack]:
    """Seeded floor (agents 1001-1003, Li Wei), simulated Asterisk and the app on free ports."""
    ids = await seed_floor(database_url)
    sim = SimulatedAsterisk("callcenter", SECRET, time_scale=time_scale, seed=7)
    ami_port = await sim.start(port=0)
    settings = Settings(
        database_url=database_url,
        ami_servers=[AmiServer(name="pbx1", port=ami_port, secret=SECRET)],  # type: ignore[arg-type]
        agi_enabled=False,
    )
    stack = BrowserStack(database_url=database_url, sim=sim, settings=settings, ids=ids)
    try:
        await stack.start()
        yield stack
    finally:
        await stack.stop()
        await sim.stop()
