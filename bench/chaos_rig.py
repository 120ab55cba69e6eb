"""The chaos bench's pieces: the process of the TCP proxy it stalls the database through, the
serve processes it kills and restarts, the tally of what it saw, the calls stored (used by
bench/chaos.py)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from callcenter.adapters.db.tables_calls import CallRecordRow
from callcenter.bootstrap import open_database
from callcenter.sim.server import SimulatedAsterisk

SECRET = "chaos-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ProxyProcess:
    """The database proxy (bench/chaos_proxy.py) in a process of its own: stall() holds every
    byte between the serve processes and PostgreSQL until flow()."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> int:
        """Start it; the port it listens on (read from its first line)."""
        script = Path(__file__).with_name("chaos_proxy.py")
        self.proc = subprocess.Popen(
            [sys.executable, str(script), str(self.port)], stdout=subprocess.PIPE, text=True
        )
        assert self.proc.stdout is not None
        return int(self.proc.stdout.readline())

    def stall(self) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGUSR1)

    def flow(self) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGUSR2)

    async def close(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            await asyncio.to_thread(self.proc.wait, 10)
            self.proc = None


@dataclass
class Node:
    """One serve process (restarted under the same ports after a kill)."""

    name: str
    env: dict[str, str]
    http_port: int
    agi_port: int
    log: Path
    proc: subprocess.Popen[bytes] | None = None
    on_start: Callable[[int], None] | None = None  # told each new pid (the prober watches it)

    def start(self) -> None:
        out = self.log.open("ab")
        cmd = [sys.executable, "-m", "callcenter", "serve"]
        self.proc = subprocess.Popen(cmd, env=self.env, stdout=out, stderr=out)
        out.close()
        if self.on_start is not None:
            self.on_start(self.proc.pid)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        if self.alive():
            assert self.proc is not None
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.alive():
            assert self.proc is not None
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@dataclass
class Tally:
    """What the bench saw."""

    rings: dict[tuple[str, str], bool] = field(default_factory=dict)  # -> seen by a process
    seen: set[str] = field(default_factory=set)  # linkedids with an event while logged in
    span: dict[str, list[float]] = field(default_factory=dict)  # linkedid -> first, last event
    pops: set[tuple[str, str]] = field(default_factory=set)
    desks: set[str] = field(default_factory=set)  # agents whose desktop has said hello
    pops_from_desk: int = 0  # pops a resynced desktop found on its desk (not pushed to it)
    storm_refused: int = 0
    storm_sockets: int = 0
    events: list[str] = field(default_factory=list)
    t0: float = field(default_factory=time.monotonic)
    wall0: float = field(default_factory=time.time)  # the same moment on the prober's clock
    faults: list[tuple[float, str]] = field(default_factory=list)  # (s after t0, what)


async def answering(nodes: list[Node], timeout: float = 60.0) -> list[Node]:
    """The processes accepting HTTP connections now (waits until there is one)."""
    async with asyncio.timeout(timeout):
        while True:
            up: list[Node] = []
            for node in nodes:
                if not node.alive():
                    continue
                with contextlib.suppress(OSError):
                    _, writer = await asyncio.open_connection("127.0.0.1", node.http_port)
                    writer.close()
                    up.append(node)
            if up:
                return up
            await asyncio.sleep(0.2)


async def ready(nodes: list[Node], timeout: float = 120.0) -> None:
    """Until every process accepts on its HTTP and its FastAGI port (it has finished starting)."""
    async with asyncio.timeout(timeout):
        for port in [p for n in nodes for p in (n.http_port, n.agi_port)]:
            while True:
                try:
                    _, writer = await asyncio.open_connection("127.0.0.1", port)
                except OSError:
                    await asyncio.sleep(0.2)
                    continue
                writer.close()
                break


def watched_simulator(
    args: argparse.Namespace, tally: Tally, queue_log: Path | None
) -> SimulatedAsterisk:
    sim = SimulatedAsterisk(
        "callcenter",
        SECRET,
        time_scale=args.time_scale,
        seed=args.seed,
        noise=False,
        queue_log=queue_log,
    )
    emit = sim.emit

    def watched(msg: list[tuple[str, str]]) -> None:
        emit(msg)
        fields = dict(msg)
        logged_in = any(s.authenticated for s in sim.sessions)
        linkedid = fields.get("Linkedid")
        if linkedid and logged_in:
            tally.seen.add(linkedid)
        if linkedid:
            tally.span.setdefault(linkedid, [time.monotonic(), 0.0])[1] = time.monotonic()
        if fields.get("Event") == "AgentCalled" and linkedid:
            code = fields["Interface"].removeprefix("Local/").split("@")[0]
            key = (linkedid, code)
            tally.rings[key] = tally.rings.get(key, False) or logged_in

    sim.emit = watched  # type: ignore[method-assign]
    return sim


async def stored(url: str, placed: list[str]) -> set[str]:
    async with open_database(url) as db, db.engine.connect() as conn:
        rows = (await conn.execute(select(CallRecordRow.linkedid))).scalars().all()
    return set(rows) & set(placed)
