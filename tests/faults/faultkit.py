"""Fault suite helpers: a stack with settings overrides, a stallable TCP proxy, fd counting."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import uvicorn
from livestack import SECRET, AgentSocket, LiveStack, seed_floor

from callcenter.adapters.metrics import attach_metrics
from callcenter.app import create_app
from callcenter.commands.serve import server_config
from callcenter.settings import AmiServer, Settings
from callcenter.sim.server import SimulatedAsterisk

__all__ = [
    "SECRET",
    "AgentSocket",
    "LiveStack",
    "TcpProxy",
    "fault_stack",
    "open_all_day_rules",
    "open_fds",
    "subscribed",
]


@contextlib.asynccontextmanager
async def fault_stack(
    database_url: str,
    *,
    time_scale: float = 0.05,
    agi: bool = False,
    seed: bool = True,
    **overrides: Any,
) -> AsyncIterator[LiveStack]:
    """Like livestack.live_stack, with settings overrides and optionally FastAGI on a free port.

    With `agi=True` the simulated Asterisk asks our FastAGI server where each call goes, as the
    shipped dialplan does.
    """
    ids = await seed_floor(database_url) if seed else {}
    sim = SimulatedAsterisk("callcenter", SECRET, time_scale=time_scale, seed=7)
    ami_port = await sim.start(port=0)
    settings = Settings(
        database_url=database_url,
        ami_servers=[AmiServer(name="pbx1", port=ami_port, secret=SECRET)],  # type: ignore[arg-type]
        agi_enabled=agi,
        agi_port=0,
        **overrides,
    )
    app = create_app(settings)
    config = server_config(
        app, settings, host="127.0.0.1", port=0, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(15):
            while not server.started:
                await asyncio.sleep(0.02)
        port = server.servers[0].sockets[0].getsockname()[1]
        runtime = app.state.runtime
        attach_metrics(runtime)  # idempotent: a no-op once the app factory wires it itself
        if agi:
            assert runtime.agi is not None, "FastAGI did not start"
            sim.agi = f"agi://127.0.0.1:{runtime.agi.port}/route"
        yield LiveStack(sim=sim, runtime=runtime, http_port=port, ids=ids)
    finally:
        server.should_exit = True
        await serving
        await sim.stop()


class TcpProxy:
    """A loopback TCP proxy that can stall (hold every byte, both ways) or drop its connections."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._server: asyncio.Server | None = None
        self._pairs: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self.accepted = 0

    async def start(self) -> int:
        """Listen on a free loopback port; returns it."""
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return int(self._server.sockets[0].getsockname()[1])

    def stall(self) -> None:
        """Stop forwarding: connections stay open, bytes wait (a hung database server)."""
        self._flowing.clear()

    def resume(self) -> None:
        """Forward again, held bytes first."""
        self._flowing.set()

    def drop(self) -> None:
        """Reset every open connection (a database restart or a network cut)."""
        for client, upstream in list(self._pairs):
            client.transport.abort()
            upstream.transport.abort()
        self._pairs.clear()

    async def close(self) -> None:
        """Stop listening and end every connection."""
        self.resume()
        if self._server is not None:
            self._server.close()
        self.drop()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        pair = (writer, up_writer)
        self._pairs.add(pair)
        pumps = [
            asyncio.create_task(self._pump(reader, up_writer)),
            asyncio.create_task(self._pump(up_reader, writer)),
        ]
        self._tasks.update(pumps)
        try:
            await asyncio.gather(*pumps, return_exceptions=True)
        finally:
            self._tasks.difference_update(pumps)
            self._pairs.discard(pair)
            for w in pair:
                w.transport.abort()

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                await self._flowing.wait()
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.transport.abort()


def open_fds() -> int:
    """File descriptors this process holds now (sockets included)."""
    return len(os.listdir("/proc/self/fd"))


def open_all_day_rules(folder: Path) -> Path:
    """The shipped routing rules with every group open around the clock (tests run at any hour)."""
    import re
    from importlib import resources

    text = resources.files("callcenter.routing").joinpath("default.toml").read_text("utf-8")
    path = folder / "routing.toml"
    path.write_text(re.sub(r"(?m)^hours = .*$", 'hours = ["mon-sun 00:00-24:00"]', text), "utf-8")
    return path


async def subscribed(stack: LiveStack, *codes: str, count: int = 1) -> None:
    """Wait until each agent's desktop channel has exactly `count` live subscriptions."""
    hub = stack.runtime.hub
    async with asyncio.timeout(15):
        while any(hub.subscriber_count(stack.runtime.agent_channel(c)) != count for c in codes):
            await asyncio.sleep(0.01)
