"""The bare ceiling of a routing run: a server in a process of its own that answers every FastAGI
session with the SET VARIABLE lines (or every HTTP request with the JSON body) the real server sent
first, without reading anything or deciding anything. Driven by the same clients at the same rate,
its latencies are what the sockets, the client and the machine cost; the real run's p99 over the
bare p99 can then be compared across runs on a noisy machine.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from multiprocessing.connection import Connection

# What the real server answered first, kept by route.py's clients for the bare server to replay.
SAMPLE: dict[str, bytes | list[bytes]] = {}


def keep_agi_line(line: bytes) -> None:
    """Note a line of the first real FastAGI session (a SET VARIABLE command)."""
    lines = SAMPLE.setdefault("agi", [])
    if isinstance(lines, list) and not SAMPLE.get("agi_done"):
        lines.append(line)


def agi_session_done() -> None:
    if SAMPLE.get("agi"):
        SAMPLE["agi_done"] = b"1"


def keep_http_body(body: bytes) -> None:
    SAMPLE.setdefault("http", body)


async def _agi(lines: list[bytes], reader: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    try:
        while await reader.readline() not in (b"\n", b""):
            pass  # the agi_* environment, unread
        for command in lines:
            w.write(command)
            if not await reader.readline():
                break
    finally:
        w.close()


async def _http(body: bytes, reader: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n"
    answer = head % len(body) + body
    try:
        while True:
            request = await reader.readuntil(b"\r\n\r\n")
            if not request:
                break
            w.write(answer)
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        w.close()


def _serve(pipe: Connection, kind: str, sample: bytes | list[bytes]) -> None:
    async def main() -> None:
        if kind == "agi":
            assert isinstance(sample, list)
            server = await asyncio.start_server(lambda r, w: _agi(sample, r, w), "127.0.0.1", 0)
        else:
            assert isinstance(sample, bytes)
            server = await asyncio.start_server(lambda r, w: _http(sample, r, w), "127.0.0.1", 0)
        pipe.send(server.sockets[0].getsockname()[1])
        await asyncio.get_running_loop().run_in_executor(None, pipe.recv)  # "stop"
        server.close()

    asyncio.run(main())


class BareServer:
    """The bare server for `kind` ("agi" or "http") replaying what SAMPLE holds."""

    def __init__(self, kind: str) -> None:
        sample = SAMPLE.get(kind)
        if not sample:
            raise RuntimeError(f"no {kind} answer was seen to replay")
        context = multiprocessing.get_context("spawn")
        self._pipe, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child, kind, sample), daemon=True)

    def start(self) -> int:
        self._process.start()
        port: int = self._pipe.recv()
        return port

    def stop(self) -> None:
        self._pipe.send("stop")
        self._process.join(5)
        if self._process.is_alive():
            self._process.kill()
