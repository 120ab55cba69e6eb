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

A FastAGI prober (its own process, as Asterisk is: bench/chaos_prober.py) asks a live process for
a routing answer 5 times a second. At the end, after the calls have played out, it counts:

- calls_offered: calls placed; calls_stored: of those, stored (call_records); calls_lost: the rest
  (the line before says how many of them no process could have seen: started and ended while no
  process was logged in to the AMI);
- pops_missed: rings of an agent, while a process was logged in, whose desktop never got a pop
  (pushed, or found on its desk after a resync, as the desktop page refetches it);
- hook_late: routing answers that arrived at the prober's socket (the kernel's receive stamp)
  after the deadline (`CALLCENTER_ROUTE_DEADLINE_MS`, 150) counted from just before it connected.
  The detail line lists each with the fault just before it and how long the prober and the serve
  process waited for a CPU meanwhile; `hook_late_bench` counts answers that arrived in time but
  that the prober, short of CPU, read late (the bench's lateness, not the product's).

The load generators (simulator, desktops, storm: other machines in production) run
`--load-nice` (5) nicer than the serve processes, the prober and the database proxy (its own
process, bench/chaos_proxy.py, standing for the network), which keep the bench's own priority:
on a small machine the measured processes get the CPU first (printed).

PostgreSQL is required (the stalls and the two-process leadership need it): a temporary database
is made on `--pg-admin-url` and dropped after, unless `--database-url` names one. The last line is
`calls_offered=… calls_stored=… calls_lost=… pops_missed=… hook_late=… processes=…`.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import functools
import json
import logging
import os
import random
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from chaos_clients import desk, extra_sockets, traffic
from chaos_prober import Prober, summarise
from chaos_rig import SECRET, Node, ProxyProcess, Tally, free_port, ready, stored, watched_simulator
from pop_latency import ensure_agents
from scratch_db import create_scratch, drop_scratch
from sqlalchemy.engine import make_url

from callcenter.adapters.db.migrate import upgrade
from callcenter.bootstrap import open_database
from callcenter.services.tokens import create_token
from callcenter.sim.server import SimulatedAsterisk

log = logging.getLogger("chaos")
# Serve processes are (re)started from this thread, which keeps the bench's starting priority
# when the main thread (the load generators) lowers its own with --load-nice.
LAUNCHER = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="launcher")


def launch(start: Callable[[], None]) -> None:
    LAUNCHER.submit(start).result()


def restarted(tally: Tally, prober: Prober, i: int, pid: int) -> None:
    tally.faults.append((time.monotonic() - tally.t0, f"restart n{i}"))
    prober.watch(i, pid)


async def chaos(
    args: argparse.Namespace,
    nodes: list[Node],
    sim: SimulatedAsterisk,
    proxy: ProxyProcess,
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
    storms: list[asyncio.Task[None]] = []
    started = time.monotonic()
    for at, what in plan:
        await asyncio.sleep(max(0.0, started + at - time.monotonic()))
        tally.events.append(f"{time.monotonic() - tally.t0:.1f}s {what}")
        tally.faults.append((time.monotonic() - tally.t0, what))
        if what == "kill":
            live = [n for n in nodes if n.alive()]
            if live:
                victim = rng.choice(live)
                victim.kill()
                asyncio.get_running_loop().call_later(rng.uniform(3, 5), launch, victim.start)
        elif what == "ami_cut":
            sim.drop_connections()
        elif what == "db_stall":
            proxy.stall()
            await asyncio.sleep(rng.uniform(2, 3))
            proxy.flow()
        else:
            storm.set()
            await asyncio.sleep(0)
            storm.clear()
            # in the background: 200 sockets under load take a while, the plan goes on
            storms.append(asyncio.create_task(extra_sockets(args.storm, tokens, nodes, tally)))
    await asyncio.gather(*storms)


async def bench(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    tally = Tally()
    url = args.database_url or await create_scratch(args.pg_admin_url, "cc_chaos")
    queue_log = None if args.no_queue_log else workdir / "queue_log"
    sim = watched_simulator(args, tally, queue_log)
    proxy = ProxyProcess(make_url(url).port or 5432)
    nodes: list[Node] = []
    tasks: list[asyncio.Task[Any]] = []
    prober: Prober | None = None
    hooks: dict[str, Any] = {}
    try:
        await upgrade(url)
        codes = await ensure_agents(url, sim)
        async with open_database(url) as db:
            tokens = {c: (await create_token(uow=db.uow, role="agent", agent_code=c))[0]
                      for c in codes}  # fmt: skip
        ami_port = await sim.start(port=0)
        proxied = make_url(url).set(port=proxy.start()).render_as_string(hide_password=False)
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
            launch(node.start)
            nodes.append(node)
        await ready(nodes)  # every process started, listening for hooks and desktops
        async with asyncio.timeout(60):
            while not any(s.authenticated for s in sim.sessions):
                await asyncio.sleep(0.1)
        storm = asyncio.Event()
        tasks = [asyncio.create_task(desk(c, t, nodes, tally, storm)) for c, t in tokens.items()]
        async with asyncio.timeout(60):
            while len(tally.desks) < len(tokens):  # every desktop said hello before any call
                await asyncio.sleep(0.1)
        prober = Prober([n.agi_port for n in nodes])
        for i, node in enumerate(nodes):
            node.on_start = functools.partial(restarted, tally, prober, i)
            prober.watch(i, node.proc.pid if node.proc is not None else 0)
        if args.load_nice:  # this thread: the simulator, desktops and storm
            os.nice(args.load_nice)
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
        hooks = summarise(prober.finish(), args.deadline_ms, tally.wall0, tally.faults)
        prober = None
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
            **{k: v for k, v in hooks.items() if not k.endswith("_at")},
            "hook_failed_at": hooks["hook_failed_at"],
            "storm_sockets": tally.storm_sockets,
            "storm_refused": tally.storm_refused,
            "lost_seen": [
                (c, round(tally.span[c][0] - tally.t0, 1), round(tally.span[c][1] - tally.t0, 1))
                for c in lost
                if c in tally.seen and c in tally.span
            ][:30],
            "hook_late_at": hooks["hook_late_at"],
            "hook_late_bench_at": hooks["hook_late_bench_at"],
            "pops_missed_at": [
                (c, a, round(tally.span[c][0] - tally.t0, 1))
                for c, a in seen_rings
                if (c, a) not in tally.pops and c in tally.span
            ][:20],
            "faults": tally.events,
            "load_nice": args.load_nice,
            "t0": time.strftime("%H:%M:%S", time.localtime(tally.wall0)),  # "at" counts from it
        }
    finally:
        if prober is not None:
            prober.finish()
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
    parser.add_argument(
        "--load-nice",
        type=int,
        default=5,
        help="niceness added to the load generators (simulator, desktops, storm) once the "
        "processes run; serve processes, the prober and the database proxy keep the bench's own",
    )
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
    print(f"load generators at nice +{args.load_nice} to the serve processes and the prober")
    detail = {k: v for k, v in figures.items() if k not in LAST}
    print(json.dumps(detail))
    print(
        " ".join(f"{k}={figures[k]}" for k in LAST if k != "processes")
        + f" processes={args.processes}"
    )


LAST = ("calls_offered", "calls_stored", "calls_lost", "pops_missed", "hook_late", "processes")

if __name__ == "__main__":
    main()
