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
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from chaos_clients import desk, extra_sockets, start_prober
from chaos_rig import SECRET, Node, Proxy, Tally, free_port, watched_simulator
from pop_latency import ensure_agents
from scratch_db import create_scratch, drop_scratch
from sqlalchemy import select
from sqlalchemy.engine import make_url

from callcenter.adapters.db.migrate import upgrade
from callcenter.adapters.db.tables_calls import CallRecordRow
from callcenter.bootstrap import open_database
from callcenter.services.tokens import create_token
from callcenter.sim.model import ENTRY_POINTS
from callcenter.sim.server import SimulatedAsterisk

log = logging.getLogger("chaos")


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


async def bench(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    tally = Tally()
    url = args.database_url or await create_scratch(args.pg_admin_url, "cc_chaos")
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
                await drop_scratch(args.pg_admin_url, url)


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
