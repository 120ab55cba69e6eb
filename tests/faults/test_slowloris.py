"""Slow and greedy clients against a real `callcenter serve`: headers that never finish, idle
sockets, too many connections, a 50 MB body nobody asked for, a websocket that never says hello.

What a client over a connection cap gets: `503 Service Unavailable`, `Retry-After: 1`,
`Connection: close`, then the socket is closed, before any of its bytes are read.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path

import httpx
import websockets

from support.servekit import Served, served

HEADER_TIMEOUT_S = 1.0
MARGIN_S = 1.5  # scheduling slack on a busy machine


async def _open(node: Served, source: str = "127.0.0.1") -> tuple[asyncio.StreamReader, ...]:
    reader, writer = await asyncio.open_connection(
        "127.0.0.1", node.http_port, local_addr=(source, 0)
    )
    return reader, writer  # type: ignore[return-value]


async def _answer(reader: asyncio.StreamReader, timeout: float = 10.0) -> tuple[bytes, float]:
    """Everything the server sends until it closes, and how long that took."""
    started = time.monotonic()
    chunks = []
    async with asyncio.timeout(timeout):
        while chunk := await reader.read(65536):
            chunks.append(chunk)
    return b"".join(chunks), time.monotonic() - started


async def _trickle(node: Served) -> tuple[bytes, float]:
    """A slowloris: a request line, then one more header line every 0.3 s, forever."""
    reader, writer = await _open(node)
    started = time.monotonic()
    writer.write(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")

    async def drip() -> None:
        with contextlib.suppress(ConnectionError):
            for i in range(1000):
                await asyncio.sleep(0.3)
                writer.write(b"X-Slow-%d: y\r\n" % i)
                await writer.drain()

    dripping = asyncio.create_task(drip())
    try:
        answer, _ = await _answer(reader, HEADER_TIMEOUT_S + 10)
    finally:
        dripping.cancel()
        writer.close()
    return answer, time.monotonic() - started


async def test_headers_that_never_finish_are_cut_and_others_are_served(
    database_url: str, tmp_path: Path
) -> None:
    """Figure: header deadline 1 s; 150 trickling clients and 50 silent ones -> each closed within
    1 s + slack (the tricklers with 408), a normal request meanwhile 200, fds back to baseline."""
    async with served(database_url, tmp_path, http_header_timeout_s=HEADER_TIMEOUT_S) as node:
        baseline = node.open_fds()
        silent = [await _open(node) for _ in range(50)]
        tricklers = [asyncio.create_task(_trickle(node)) for _ in range(150)]
        await asyncio.sleep(0.2)
        async with httpx.AsyncClient(base_url=node.base, timeout=5) as client:
            assert (await client.get("/metrics")).status_code == 200
        for answer, took in await asyncio.gather(*tricklers):
            assert answer.startswith(b"HTTP/1.1 408"), answer[:80]
            assert took < HEADER_TIMEOUT_S + MARGIN_S, took
        for reader, writer in silent:
            answer, _ = await _answer(reader, MARGIN_S)  # sent nothing: closed without a word
            assert answer == b""
            writer.close()
        await asyncio.sleep(0.3)
        assert node.open_fds() <= baseline + 5


async def test_connection_caps_per_source_and_in_total(database_url: str, tmp_path: Path) -> None:
    """Figure: caps 100 per source, 150 in all; 100 idle from 127.0.0.1 -> its 101st gets 503 with
    Retry-After and is closed, 127.0.0.2 still gets 200; 50 more from 127.0.0.3 -> 127.0.0.4 gets
    503; once they go, 127.0.0.1 gets 200 again."""
    async with served(
        database_url,
        tmp_path,
        http_header_timeout_s=30,
        http_max_connections=150,
        http_max_connections_per_source=100,
    ) as node:
        held = [await _open(node, "127.0.0.1") for _ in range(100)]
        await asyncio.sleep(0.2)
        reader, writer = await _open(node, "127.0.0.1")
        answer, took = await _answer(reader, 5)
        writer.close()
        assert answer.startswith(b"HTTP/1.1 503") and b"retry-after: 1" in answer.lower()
        assert took < 1.0
        assert await _get_from(node, "127.0.0.2") == 200
        held += [await _open(node, "127.0.0.3") for _ in range(50)]
        await asyncio.sleep(0.2)
        reader, writer = await _open(node, "127.0.0.4")
        answer, _ = await _answer(reader, 5)
        writer.close()
        assert answer.startswith(b"HTTP/1.1 503")
        for _, w in held:
            w.close()
        await asyncio.sleep(0.5)
        assert await _get_from(node, "127.0.0.1") == 200


async def _get_from(node: Served, source: str) -> int:
    transport = httpx.AsyncHTTPTransport(local_address=source)
    async with httpx.AsyncClient(base_url=node.base, transport=transport, timeout=5) as client:
        return (await client.get("/metrics")).status_code


async def test_a_huge_unauthenticated_body_is_refused_unread(
    database_url: str, tmp_path: Path
) -> None:
    """Figure: POST with Content-Length 50 MB and no token, 1 KB sent -> 413 within 1 s (the
    other 50 MB never asked for); a 2 MB chunked body -> 413 (or closed mid-body, after the 413
    was sent); a small one still gets its 401."""
    async with served(database_url, tmp_path) as node:
        reader, writer = await _open(node)
        writer.write(
            b"POST /api/customers HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 52428800\r\n\r\n" + b"{" * 1024
        )
        answer, took = await _answer(reader, 5)
        writer.close()
        assert answer.startswith(b"HTTP/1.1 413"), answer[:80]
        assert took < 1.0

        refused, _ = await _chunked_post(node, 2 * 1024 * 1024)
        assert refused, "a 2 MB chunked body was read without a 413"
        async with httpx.AsyncClient(base_url=node.base, timeout=10) as client:
            small = await client.post("/api/customers", json={"name": "x"})
            assert small.status_code == 401


async def _chunked_post(node: Served, size: int) -> tuple[bool, int]:
    """Send a chunked body of `size` bytes while listening: whether the server refused it (413,
    or closed on us mid-body after its answer), and how much got sent."""
    reader, writer = await _open(node)
    writer.write(
        b"POST /api/customers HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    sent = 0

    async def send() -> None:
        nonlocal sent
        with contextlib.suppress(ConnectionError):
            while sent < size:
                writer.write(b"10000\r\n" + b"[" * 65536 + b"\r\n")
                await writer.drain()
                sent += 65536
            writer.write(b"0\r\n\r\n")
            await writer.drain()

    sending = asyncio.create_task(send())
    try:
        answer, _ = await _answer(reader, 10)
        refused = answer.startswith(b"HTTP/1.1 413")
    except ConnectionResetError:
        refused = True  # the server answered and closed while we were still sending
    finally:
        sending.cancel()
        writer.close()
    return refused, sent


async def test_a_websocket_that_never_says_hello_is_closed(
    database_url: str, tmp_path: Path
) -> None:
    """Figure: hello deadline 1 s; a socket that sends nothing -> closed 1008 within 1 s + slack."""
    async with served(database_url, tmp_path, ws_hello_timeout_s=1) as node:
        ws = await websockets.connect(f"ws://127.0.0.1:{node.http_port}/ws/agent")
        started = time.monotonic()
        try:
            async with asyncio.timeout(1 + MARGIN_S):
                await ws.recv()
        except websockets.ConnectionClosed as closed:
            assert closed.rcvd is not None and closed.rcvd.code == 1008
        else:
            raise AssertionError("the server sent a message instead of closing")
        assert time.monotonic() - started < 1 + MARGIN_S
