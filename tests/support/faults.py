"""Fault-test helpers: a stallable TCP proxy, fd counting, open-all-day rules, subscriptions."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from support.livestack import LiveStack


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


def open_all_day_rules(folder: Path, *, overflow_after_s: int | None = None) -> Path:
    """The shipped routing rules with every group open around the clock (tests run at any hour).

    `overflow_after_s` replaces every overflow and borrowing delay: the simulated Asterisk follows
    the hook's overflow plan as the shipped dialplan does, and a test whose calls queue behind one
    agent for a while (in simulated seconds) must not see them leave for another group."""
    import re
    from importlib import resources

    text = resources.files("callcenter.routing").joinpath("default.toml").read_text("utf-8")
    text = re.sub(r"(?m)^hours = .*$", 'hours = ["mon-sun 00:00-24:00"]', text)
    if overflow_after_s is not None:
        text = re.sub(
            r"(?m)^(overflow|borrow)_after_s = .*$", rf"\1_after_s = {overflow_after_s}", text
        )
    path = folder / "routing.toml"
    path.write_text(text, "utf-8")
    return path


async def subscribed(stack: LiveStack, *codes: str, count: int = 1) -> None:
    """Wait until each agent's desktop channel has exactly `count` live subscriptions."""
    hub = stack.runtime.hub
    async with asyncio.timeout(15):
        while any(hub.subscriber_count(stack.runtime.agent_channel(c)) != count for c in codes):
            await asyncio.sleep(0.01)
