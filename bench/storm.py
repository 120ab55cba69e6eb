"""Reconnect storm: N desktops (each its own agent token) come back within one second.

Starts one `callcenter serve` (no AMI) on a fresh database (SQLite in a temporary folder, or a
temporary PostgreSQL database with --pg-admin-url), makes --desktops agent tokens, then opens that
many websockets evenly spread over --spread seconds, each saying hello as a browser does (after
the upgrade). It waits until the process reports every socket subscribed
(`callcenter_ws_clients{stream="agent"}` on /metrics). The last line is
`desktops=… accepted_s=… refused=… server_cpu_s=… load=…`: accepted_s from the first connect to
all subscribed, refused the sockets closed (1013/1008) or never upgraded, server_cpu_s the serve
process's CPU for the storm, load the 1-minute load average at the end (the machine is shared).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from scratch_db import scratch_database

from callcenter.adapters.db.migrate import upgrade
from callcenter.bootstrap import open_database
from callcenter.domain.agents.records import Skill
from callcenter.services.tokens import create_token

CODES = ("1001", "1002", "1003")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def frame(payload: bytes) -> bytes:
    """A masked text frame (mask key zero)."""
    size = len(payload)
    head = bytes([0x81]) + (
        bytes([0x80 | size]) if size < 126 else bytes([0x80 | 126]) + struct.pack("!H", size)
    )
    return head + b"\0\0\0\0" + payload


class Desktop:
    """A bare websocket client: upgrade, hello, then it only listens."""

    def __init__(self, port: int, token: str) -> None:
        key = base64.b64encode(os.urandom(16)).decode()
        self.request = (
            f"GET /ws/agent HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
        self.hello = frame(json.dumps({"type": "hello", "token": token}).encode())
        self.port = port
        self.upgraded = False
        self.writer: asyncio.StreamWriter | None = None
        self.reader: asyncio.StreamReader | None = None

    async def connect(self) -> None:
        try:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            self.writer.write(self.request)
            head = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), 30)
        except (OSError, TimeoutError, asyncio.IncompleteReadError):
            return
        self.upgraded = head.startswith(b"HTTP/1.1 101")
        self.writer.write(self.hello)

    async def closed(self) -> bool:
        """Whether the server closed this socket (a close frame or EOF) within 0.2 s."""
        if self.reader is None:
            return True
        try:
            async with asyncio.timeout(0.2):
                while data := await self.reader.read(4096):
                    if data[0] & 0x0F == 0x8:
                        return True
                return True
        except TimeoutError:
            return False

    def close(self) -> None:
        if self.writer is not None:
            self.writer.transport.abort()


async def seeded(url: str, count: int) -> list[str]:
    """Three agents and `count` agent tokens spread over them."""
    await upgrade(url)
    async with open_database(url) as db:
        async with db.uow() as uow:
            for code in CODES:
                if await uow.agents.get_by_code(code=code) is None:
                    await uow.agents.add(
                        code=code,
                        name=f"Agent {code}",
                        interface=f"Local/{code}@agents/n",
                        state_interface=f"Custom:agent{code}",
                        skills=[Skill(group_slug="member-hotline", level=10)],
                    )
            await uow.commit()
        return [
            (await create_token(uow=db.uow, role="agent", agent_code=CODES[i % 3]))[0]
            for i in range(count)
        ]


async def subscribed(port: int) -> int:
    async with httpx.AsyncClient(timeout=5) as client:
        text = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
    found = re.search(r'callcenter_ws_clients\{stream="agent"\} ([0-9.e+]+)', text)
    return int(float(found.group(1))) if found else 0


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def ready(port: int, proc: subprocess.Popen[bytes]) -> None:
    async with asyncio.timeout(60):
        while proc.poll() is None:
            try:
                await subscribed(port)
                return
            except httpx.HTTPError:
                await asyncio.sleep(0.2)
    raise RuntimeError("callcenter serve did not start")


def spawn(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        cmd = [sys.executable, "-m", "callcenter", "serve"]
        return subprocess.Popen(cmd, env=env, stdout=out, stderr=out)


async def storm(args: argparse.Namespace, url: str, workdir: Path) -> dict[str, object]:
    tokens = await seeded(url, args.desktops)
    http_port = free_port()
    env = {
        **os.environ,
        "CALLCENTER_DATABASE_URL": url,
        "CALLCENTER_AMI_SERVERS": "[]",
        "CALLCENTER_HTTP_PORT": str(http_port),
        "CALLCENTER_AGI_PORT": str(free_port()),
        "CALLCENTER_LOG_LEVEL": "WARNING",
    }
    proc = spawn(env, workdir / "serve.log")
    desktops = [Desktop(http_port, t) for t in tokens]
    try:
        await ready(http_port, proc)
        before = cpu_s(proc.pid)
        started = time.monotonic()

        async def back(i: int, desktop: Desktop) -> None:
            await asyncio.sleep(i * args.spread / len(desktops))
            await desktop.connect()

        await asyncio.gather(*(back(i, d) for i, d in enumerate(desktops)))
        accepted = float("inf")
        async with asyncio.timeout(args.timeout):
            while await subscribed(http_port) < len(desktops):
                await asyncio.sleep(0.1)
            accepted = time.monotonic() - started
        cpu = cpu_s(proc.pid) - before
        closed = await asyncio.gather(*(d.closed() for d in desktops))
        refused = sum(1 for d, c in zip(desktops, closed, strict=True) if c or not d.upgraded)
    finally:
        for d in desktops:
            d.close()
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    return {
        "desktops": len(desktops),
        "accepted_s": round(accepted, 2),
        "refused": refused,
        "server_cpu_s": round(cpu, 2),
        "load": round(os.getloadavg()[0], 1),
    }


async def main(args: argparse.Namespace) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        if not args.pg_admin_url:
            return await storm(args, f"sqlite+aiosqlite:///{tmp}/storm.db", Path(tmp))
        async with scratch_database(args.pg_admin_url, "cc_storm") as url:
            return await storm(args, url, Path(tmp))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--desktops", type=int, default=1000)
    parser.add_argument("--spread", type=float, default=1.0, help="s over which they connect")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--pg-admin-url", default=None, help="PostgreSQL instead of SQLite")
    figures = asyncio.run(main(parser.parse_args()))
    print(" ".join(f"{k}={v}" for k, v in figures.items()))
