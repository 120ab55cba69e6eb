"""Small AMI clients for the simulator tests: a raw socket reader and a panoramisk Manager."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from panoramisk import Manager

from callcenter.sim.server import SimulatedAsterisk

SECRET = "s3cret"


async def read_msg(reader: asyncio.StreamReader, wait_s: float = 5.0) -> list[tuple[str, str]]:
    """One CRLF-framed message as (key, value) pairs."""
    out: list[tuple[str, str]] = []
    while True:
        line = await asyncio.wait_for(reader.readline(), wait_s)
        if not line:
            raise EOFError("connection closed")
        assert line.endswith(b"\r\n"), line
        text = line.decode("utf-8")[:-2]
        if not text:
            if out:
                return out
            continue
        key, _, value = text.partition(": ")
        out.append((key, value))


async def until(reader: asyncio.StreamReader, event: str) -> list[list[tuple[str, str]]]:
    """Messages read up to and including the first `event`."""
    seen = []
    while True:
        msg = await read_msg(reader)
        seen.append(msg)
        if dict(msg).get("Event") == event:
            return seen


def send(writer: asyncio.StreamWriter, **headers: str) -> None:
    """Write one action."""
    writer.write(("".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n").encode())


@asynccontextmanager
async def raw_session(port: int, *, login: bool = True) -> AsyncIterator[Any]:
    """A raw TCP AMI session (banner consumed, logged in unless told not to)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    banner = await reader.readline()
    assert banner == b"Asterisk Call Manager/13.0.0\r\n"
    if login:
        send(writer, Action="Login", Username="callcenter", Secret=SECRET, ActionID="l1")
        assert dict(await read_msg(reader))["Response"] == "Success"
        assert dict(await read_msg(reader))["Event"] == "FullyBooted"
        assert dict(await read_msg(reader))["Event"] == "SuccessfulAuth"
    try:
        yield reader, writer
    finally:
        writer.close()


@asynccontextmanager
async def manager(
    port: int, secret: str = SECRET
) -> AsyncIterator[tuple[Manager, asyncio.Queue[Any]]]:
    """A logged-in panoramisk Manager whose events land, in order, on a queue."""
    events: asyncio.Queue[Any] = asyncio.Queue()
    mgr = Manager(
        host="127.0.0.1",
        port=port,
        username="callcenter",
        secret=secret,
        ping_delay=600,
        reconnect_timeout=600,
        loop=asyncio.get_running_loop(),
    )
    mgr.register_event("*", lambda _m, msg: events.put_nowait(msg))
    await mgr.connect()
    for _ in range(200):
        if mgr.authenticated_future is None:
            break
        await asyncio.sleep(0.01)
    try:
        yield mgr, events
    finally:
        mgr.close()


async def next_event(events: asyncio.Queue[Any], name: str, wait_s: float = 5.0) -> Any:
    """The next event called `name` (others are skipped)."""
    while True:
        msg = await asyncio.wait_for(events.get(), wait_s)
        if msg.event == name:
            return msg


@asynccontextmanager
async def running(**kwargs: Any) -> AsyncIterator[tuple[SimulatedAsterisk, int]]:
    """A started simulator on a free loopback port."""
    sim = SimulatedAsterisk("callcenter", SECRET, **kwargs)
    port = await sim.start(host="127.0.0.1", port=0)
    try:
        yield sim, port
    finally:
        await sim.stop()
