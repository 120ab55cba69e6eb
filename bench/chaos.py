"""Soak and chaos: simulated traffic while serve processes are killed, AMI cut, database stalled.

One simulated Asterisk offers calls (accelerated: `--time-scale` real seconds per simulated one)
to `--processes` `callcenter serve` processes (2 = two processes sharing Redis and the AMI
leadership). Every agent has a desktop websocket that reconnects (resuming with since/gen) to
any live process. At random moments (seeded) the bench:

- kills -9 a serve process and starts it again 3–5 s later;
- cuts the AMI connection (the simulator drops its sessions);
- stalls the database for 2–3 s (every process reaches PostgreSQL through a TCP proxy);
- makes every desktop reconnect at once, plus `--storm` extra sockets (a reconnect storm).

The simulator writes Asterisk's queue_log, and the processes are told where it is (as an
operator would configure it), unless `--no-queue-log`: calls that began and ended while no
process was logged in to the AMI are then read back from it after the next login.

A FastAGI prober (on its own thread and event loop, as Asterisk is its own process) asks a live
process for a routing answer 5 times a second. At the end, after the
calls have played out, it counts:

- calls_offered: calls placed; calls_stored: of those, stored (call_records); calls_lost: the rest
  (the line before says how many of them no process could have seen: started and ended while no
  process was logged in to the AMI);
- pops_missed: rings of an agent, while a process was logged in, whose desktop never got a pop
  (pushed, or found on its desk after a resync, as the desktop page refetches it);
- hook_late: routing answers that came after the deadline (`CALLCENTER_ROUTE_DEADLINE_MS`, 150).

PostgreSQL is required (the stalls and the two-process leadership need it): a temporary database
is made on `--pg-admin-url` and dropped after, unless `--database-url` names one. The last line is
`calls_offered=… calls_stored=… calls_lost=… pops_missed=… hook_late=… processes=…`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import websockets
from pop_latency import ensure_agents
from sqlalchemy import select
from sqlalchemy.engine import make_url

from callcenter.adapters.db.migrate import upgrade
from callcenter.adapters.db.tables_calls import CallRecordRow
from callcenter.bootstrap import open_database
from callcenter.services.tokens import create_token
from callcenter.sim.model import ENTRY_POINTS
from callcenter.sim.server import SimulatedAsterisk

SECRET = "chaos-secret"
REFETCHES: set[asyncio.Future[None]] = set()
log = logging.getLogger("chaos")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Proxy:
    """A loopback TCP proxy that can hold every byte for a while (a stalled database)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.flowing = asyncio.Event()
        self.flowing.set()
        self._server: asyncio.Server | None = None

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return int(self._server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        self.flowing.set()
        if self._server is not None:
            self._server.close()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.port)
        except OSError:
            writer.transport.abort()
            return
        await asyncio.gather(
            self._pump(reader, up_writer), self._pump(up_reader, writer), return_exceptions=True
        )

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                await self.flowing.wait()
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.transport.abort()


@dataclass
class Node:
    """One serve process (restarted under the same ports after a kill)."""

    name: str
    env: dict[str, str]
    http_port: int
    agi_port: int
    log: Path
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        out = self.log.open("ab")
        cmd = [sys.executable, "-m", "callcenter", "serve"]
        self.proc = subprocess.Popen(cmd, env=self.env, stdout=out, stderr=out)
        out.close()

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
    pops_from_desk: int = 0  # pops a resynced desktop found on its desk (not pushed to it)
    hook_answers: int = 0
    hook_ms: list[float] = field(default_factory=list)  # how long each answer took
    hook_late: int = 0
    late_at: list[tuple[float, int]] = field(default_factory=list)  # when, and how late (ms)
    hook_failed: int = 0
    storm_refused: int = 0
    storm_sockets: int = 0
    events: list[str] = field(default_factory=list)
    t0: float = field(default_factory=time.monotonic)


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


async def desk(
    code: str, token: str, nodes: list[Node], tally: Tally, storm: asyncio.Event
) -> None:
    """One agent desktop: stays connected to some live process, resuming where it left off."""
    resume: dict[str, Any] = {}
    turn = random.Random(code)
    while True:
        live = [n for n in nodes if n.alive()] or nodes
        node = turn.choice(live)
        try:
            async with websockets.connect(
                f"ws://127.0.0.1:{node.http_port}/ws/agent", open_timeout=5
            ) as ws:
                await ws.send(json.dumps({"type": "hello", "token": token, **resume}))
                base = f"http://127.0.0.1:{node.http_port}"
                reading = asyncio.ensure_future(_read(ws, code, tally, resume, (base, token)))
                stormed = asyncio.ensure_future(storm.wait())
                try:
                    await asyncio.wait({reading, stormed}, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    stormed.cancel()
                    reading.cancel()
                    await asyncio.gather(stormed, reading, return_exceptions=True)
        except (OSError, websockets.WebSocketException, TimeoutError):
            pass
        await asyncio.sleep(0.2)


async def _read(
    ws: Any, code: str, tally: Tally, resume: dict[str, Any], desk_api: tuple[str, str]
) -> None:
    async for text in ws:
        msg = json.loads(text)
        if msg.get("type") == "screen_pop":
            tally.pops.add((msg["call"]["linkedid"], code))
        elif msg.get("type") == "resync":
            # As the desktop does (desktop.js onResync): what it missed comes from its desk.
            task = asyncio.ensure_future(_refetch_desk(code, tally, *desk_api))
            REFETCHES.add(task)
            task.add_done_callback(REFETCHES.discard)
        if "seq" in msg and "gen" in msg:
            resume.update(since=msg["seq"], gen=msg["gen"])


async def _refetch_desk(code: str, tally: Tally, base: str, token: str) -> None:
    """GET /api/agents/{code}/desk: a call ringing or connected there has its pop shown."""
    headers = {"Authorization": f"Bearer {token}"}
    with contextlib.suppress(httpx.HTTPError, ValueError, KeyError, TypeError):
        async with httpx.AsyncClient(timeout=5) as client:
            answer = await client.get(f"{base}/api/agents/{code}/desk", headers=headers)
        call = answer.json().get("call") if answer.status_code == 200 else None
        if call and call.get("pop") is not None:
            key = (call["linkedid"], code)
            if key not in tally.pops:
                tally.pops_from_desk += 1
            tally.pops.add(key)


async def extra_sockets(count: int, tokens: list[str], nodes: list[Node], tally: Tally) -> None:
    """`count` more desktops saying hello at once; a refusal (1013) is counted."""

    live = await answering(nodes)

    async def one(token: str) -> None:
        node = random.choice(live)
        tally.storm_sockets += 1
        try:
            async with websockets.connect(
                f"ws://127.0.0.1:{node.http_port}/ws/agent", open_timeout=10
            ) as ws:
                await ws.send(json.dumps({"type": "hello", "token": token}))
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(2.0):
                        async for _ in ws:
                            pass
        except websockets.ConnectionClosed as exc:
            if exc.rcvd is not None and exc.rcvd.code == 1013:
                tally.storm_refused += 1
        except (OSError, websockets.WebSocketException, TimeoutError):
            tally.storm_refused += 1

    await asyncio.gather(*(one(tokens[i % len(tokens)]) for i in range(count)))


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


def start_prober(nodes: list[Node], deadline_s: float, tally: Tally) -> threading.Event:
    """The hook prober on a thread with its own event loop, as Asterisk is its own process: the
    bench's own work (desktops reconnecting, the storm, the proxy) stalls this loop by up to
    ~200 ms at times, which the prober's clock would otherwise count against the hook.
    Set the returned event to stop it."""
    stop = threading.Event()
    threading.Thread(
        target=asyncio.run, args=(hook_prober(nodes, deadline_s, tally, stop),), daemon=True
    ).start()
    return stop


async def hook_prober(
    nodes: list[Node], deadline_s: float, tally: Tally, stop: threading.Event
) -> None:
    """A FastAGI routing request 5 times a second to a live process; late answers counted."""
    rng = random.Random(3)
    while not stop.is_set():
        await asyncio.sleep(0.2)
        live = [n for n in nodes if n.alive()]
        if not live:
            continue
        node = rng.choice(live)
        start = time.monotonic()
        try:
            async with asyncio.timeout(5):
                reader, writer = await asyncio.open_connection("127.0.0.1", node.agi_port)
                env = (
                    "agi_network_script: route\nagi_request: agi://127.0.0.1/route\n"
                    f"agi_callerid: +86139{rng.randrange(10**8):08d}\nagi_calleridname: X\n"
                    "agi_extension: 8001\nagi_arg_1: 8001\nagi_arg_2: \n\n"
                )
                writer.write(env.encode())
                await writer.drain()
                first = await reader.readline()
                took = time.monotonic() - start
                while first:
                    writer.write(b"200 result=1\n")
                    await writer.drain()
                    first = await reader.readline()
                writer.close()
        except (OSError, TimeoutError):
            tally.hook_failed += 1
            continue
        tally.hook_answers += 1
        tally.hook_ms.append(took * 1000)
        if took > deadline_s:
            tally.hook_late += 1
            tally.late_at.append((round(start - tally.t0, 1), round(took * 1000)))


async def chaos(
    args: argparse.Namespace,
    nodes: list[Node],
    sim: SimulatedAsterisk,
    proxy: Proxy,
    storm: asyncio.Event,
    tokens: list[str],
    tally: Tally,
) -> None:
    """The faults, at seeded random moments spread over the run."""
    rng = random.Random(args.seed)
    span = args.seconds
    plan: list[tuple[float, str]] = []
    plan += [(rng.uniform(0.1, 0.8) * span, "kill") for _ in range(args.kills)]
    plan += [(rng.uniform(0.1, 0.9) * span, "ami_cut") for _ in range(2)]
    plan += [(rng.uniform(0.1, 0.9) * span, "db_stall") for _ in range(2)]
    plan += [(rng.uniform(0.2, 0.8) * span, "storm")]
    plan.sort()
    started = time.monotonic()
    for at, what in plan:
        await asyncio.sleep(max(0.0, started + at - time.monotonic()))
        tally.events.append(f"{time.monotonic() - tally.t0:.1f}s {what}")
        if what == "kill":
            live = [n for n in nodes if n.alive()]
            if live:
                victim = rng.choice(live)
                victim.kill()
                asyncio.get_running_loop().call_later(rng.uniform(3, 5), victim.start)
        elif what == "ami_cut":
            sim.drop_connections()
        elif what == "db_stall":
            proxy.flowing.clear()
            await asyncio.sleep(rng.uniform(2, 3))
            proxy.flowing.set()
        else:
            storm.set()
            await asyncio.sleep(0)
            storm.clear()
            await extra_sockets(args.storm, tokens, nodes, tally)


async def traffic(args: argparse.Namespace, sim: SimulatedAsterisk) -> list[str]:
    """Calls at --rate per second for --seconds: answered, talking, some giving up."""
    rng = random.Random(args.seed + 1)
    entries = sorted(ENTRY_POINTS)
    placed: list[str] = []
    started = time.monotonic()
    i = 0
    while time.monotonic() - started < args.seconds:
        placed.append(
            sim.place_call(
                f"+86139{i:08d}",
                f"Caller {i}",
                entries[i % len(entries)],
                agent_answers_after=rng.uniform(1, 4),
                talk_s=rng.uniform(5, 60),
                caller_hangs_up_after=rng.uniform(20, 90),
            )
        )
        i += 1
        await asyncio.sleep(rng.expovariate(args.rate))
    return placed


def _spread(values: list[float]) -> list[int]:
    """p50, p99 and the largest, in whole ms (load-sensitive: compare runs side by side)."""
    if len(values) < 2:
        return [round(v) for v in values * 3]
    cuts = statistics.quantiles(values, n=100)
    return [round(cuts[49]), round(cuts[98]), round(max(values))]


async def stored(url: str, placed: list[str]) -> set[str]:
    async with open_database(url) as db, db.engine.connect() as conn:
        rows = (await conn.execute(select(CallRecordRow.linkedid))).scalars().all()
    return set(rows) & set(placed)


async def temp_database(admin_url: str) -> str:
    name = f"cc_chaos_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(admin_url.replace("+asyncpg", ""))
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


async def drop_database(admin_url: str, url: str) -> None:
    conn = await asyncpg.connect(admin_url.replace("+asyncpg", ""))
    await conn.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    await conn.close()


async def bench(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    tally = Tally()
    url = args.database_url or await temp_database(args.pg_admin_url)
    queue_log = None if args.no_queue_log else workdir / "queue_log"
    sim = watched_simulator(args, tally, queue_log)
    proxy = Proxy(make_url(url).port or 5432)
    nodes: list[Node] = []
    tasks: list[asyncio.Task[Any]] = []
    prober = threading.Event()
    try:
        await upgrade(url)
        codes = await ensure_agents(url, sim)
        async with open_database(url) as db:
            tokens = {c: (await create_token(uow=db.uow, role="agent", agent_code=c))[0]
                      for c in codes}  # fmt: skip
        ami_port = await sim.start(port=0)
        proxied = make_url(url).set(port=await proxy.start()).render_as_string(hide_password=False)
        bus_prefix = f"chaos-{uuid.uuid4().hex[:8]}"
        pbx: dict[str, Any] = {"name": "pbx1", "port": ami_port, "secret": SECRET}
        if queue_log is not None:  # the backend reads Asterisk's queue_log back after a login
            pbx["queue_log"] = str(queue_log)
        for n in range(args.processes):
            http_port, agi_port = free_port(), free_port()
            env = {
                **os.environ,
                "CALLCENTER_DATABASE_URL": proxied,
                "CALLCENTER_AMI_SERVERS": json.dumps([pbx]),
                "CALLCENTER_HTTP_PORT": str(http_port),
                "CALLCENTER_AGI_PORT": str(agi_port),
                "CALLCENTER_LOG_LEVEL": "INFO",
            }
            if args.processes > 1:
                env["CALLCENTER_BUS_URL"] = args.redis_url
                env["CALLCENTER_BUS_PREFIX"] = bus_prefix
            node = Node(f"n{n}", env, http_port, agi_port, workdir / f"serve-{n}.log")
            node.start()
            nodes.append(node)
        async with asyncio.timeout(60):
            while not any(s.authenticated for s in sim.sessions):
                await asyncio.sleep(0.1)
        await asyncio.sleep(2.0)
        storm = asyncio.Event()
        tasks = [asyncio.create_task(desk(c, t, nodes, tally, storm)) for c, t in tokens.items()]
        prober = start_prober(nodes, args.deadline_ms / 1000, tally)
        await asyncio.sleep(2.0)
        faults = asyncio.create_task(
            chaos(args, nodes, sim, proxy, storm, list(tokens.values()), tally)
        )
        placed = await traffic(args, sim)
        await faults
        await asyncio.wait_for(sim.wait_idle(), 300)
        got: set[str] = set()
        quiet = time.monotonic()
        while time.monotonic() - quiet < args.settle:  # until nothing new lands for a while
            now = await stored(url, placed)
            if len(now) > len(got):
                got, quiet = now, time.monotonic()
            if len(got) == len(placed):
                break
            await asyncio.sleep(1.0)
        await asyncio.sleep(2.0)  # late pops
        lost = [c for c in placed if c not in got]
        seen_rings = [k for k, seen in tally.rings.items() if seen]
        return {
            "calls_offered": len(placed),
            "calls_stored": len(got),
            "calls_lost": len(lost),
            "lost_never_seen": sum(1 for c in lost if c not in tally.seen),
            "pops_missed": sum(1 for k in seen_rings if k not in tally.pops),
            "rings_unseen": len(tally.rings) - len(seen_rings),
            "pops_from_desk": tally.pops_from_desk,
            "hook_answers": tally.hook_answers,
            "hook_ms_p50_p99_max": _spread(tally.hook_ms),
            "hook_late": tally.hook_late,
            "hook_failed": tally.hook_failed,
            "storm_sockets": tally.storm_sockets,
            "storm_refused": tally.storm_refused,
            "lost_seen": [
                (c, round(tally.span[c][0] - tally.t0, 1), round(tally.span[c][1] - tally.t0, 1))
                for c in lost
                if c in tally.seen and c in tally.span
            ][:30],
            "hook_late_at": tally.late_at[:40],
            "pops_missed_at": [
                (c, a, round(tally.span[c][0] - tally.t0, 1))
                for c, a in seen_rings
                if (c, a) not in tally.pops and c in tally.span
            ][:20],
            "faults": tally.events,
        }
    finally:
        prober.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for node in nodes:
            node.stop()
        await proxy.close()
        await sim.stop()
        if not args.database_url:
            with contextlib.suppress(Exception):
                await drop_database(args.pg_admin_url, url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--processes", type=int, choices=(1, 2), default=1)
    parser.add_argument("--seconds", type=float, default=120.0, help="how long calls come in")
    parser.add_argument("--rate", type=float, default=4.0, help="calls per second")
    parser.add_argument("--time-scale", type=float, default=0.05, help="real s per sim s")
    parser.add_argument("--kills", type=int, default=2)
    parser.add_argument("--storm", type=int, default=200, help="extra sockets in the storm")
    parser.add_argument("--deadline-ms", type=float, default=150.0)
    parser.add_argument("--settle", type=float, default=30.0, help="s without new records")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=None, help="an existing migrated database")
    parser.add_argument(
        "--pg-admin-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument(
        "--no-queue-log",
        action="store_true",
        help="the backend is not given the queue_log (calls no process saw stay lost)",
    )
    parser.add_argument("--keep-logs", action="store_true", help="print where the logs are")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        figures = asyncio.run(bench(args, Path(tmp)))
        if args.keep_logs:
            kept = Path(tempfile.mkdtemp(prefix="chaos-logs-"))
            for item in Path(tmp).iterdir():
                item.rename(kept / item.name)
            print(f"logs: {kept}")
    detail = {k: v for k, v in figures.items() if k not in LAST}
    print(json.dumps(detail))
    print(
        " ".join(f"{k}={figures[k]}" for k in LAST if k != "processes")
        + f" processes={args.processes}"
    )


LAST = ("calls_offered", "calls_stored", "calls_lost", "pops_missed", "hook_late", "processes")

if __name__ == "__main__":
    main()
