"""Load run: N `callcenter serve` processes on one PostgreSQL and one Redis, A agent desktops spread
over them, calls offered at R/s by the simulated Asterisk for S seconds.

Reports pop latency (AgentCalled written on the AMI socket -> pop frame at the agent's socket, on
whichever process holds it), calls recorded vs offered (they must be equal), and each process's RSS
and CPU. The database must be migrated and seeded (`callcenter seed`); bench agents are added where
missing, and this run's calls are told apart by a fresh PBX name. The last line is
`pop_p50_ms=… pop_p99_ms=… pop_max_ms=… calls_offered=… calls_recorded=… records_drain_s=…
rss_mb=… cpu_pct=… sockets_refused=… rings_without_pop=… incomplete_pops=…`; it exits 1 when a
socket was refused or a ring had no pop. `records_drain_s` is how long after the last call ended
the last record was stored (`-`: not all were, within 2 minutes or 15 s without progress).

With --kill-at S, one process (--kill: the AMI leader or another one) is killed with SIGKILL S
seconds after the first call. Desktops then behave as behind a round-robin balancer: a dropped
socket is reopened on the next process and resumes with `since`. The line then also has
`killed=leader|other resume_max_s=… (the last dropped desktop back on a node) resyncs=…
after_kill_p99_ms=… (pops of rings in the 30 s after the kill) first_pop_after_kill_ms=…
(kill -> the first pop of a ring written after it)`, and the dead process's RSS and CPU are `-`.
Before the last three figures come the bare ceiling's (bare_fanout.py: the same rings through one
websocket server that does nothing else) and `p99_ratio_to_bare`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
import time
import uuid
from typing import Any

from bare_fanout import bare_ceiling, ratio
from pop_latency import (
    SECRET,
    DeskFleet,
    _free_port,
    _rss_mb,
    common_arguments,
    ensure_agents,
    latency_figures,
    offer_calls,
    print_figures,
    timed_simulator,
    whole_truth,
)
from sqlalchemy import func, select

from callcenter.adapters.db.tables_calls import CallRecordRow
from callcenter.bootstrap import database
from callcenter.services.tokens import create_token
from callcenter.sim.generator import callers_from_db


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far, from /proc (Linux)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


async def _recorded(url: str, pbx: str) -> int:
    db = database(url)
    try:
        async with db.engine.connect() as conn:
            count = await conn.scalar(
                select(func.count()).select_from(CallRecordRow).where(CallRecordRow.pbx == pbx)
            )
            return int(count or 0)
    finally:
        await db.aclose()


async def _drained(url: str, pbx: str, offered: int) -> tuple[int, float | None]:
    """Wait, after the last call ended, until every offered call is recorded or the count has not
    moved for 15 s (2 minutes at most): the count, and how long the stores took (None: never)."""
    start = time.monotonic()
    recorded, moved = await _recorded(url, pbx), start
    while recorded < offered and time.monotonic() - moved < 15 and time.monotonic() - start < 120:
        await asyncio.sleep(1.0)
        now = await _recorded(url, pbx)
        if now > recorded:
            recorded, moved = now, time.monotonic()
    return recorded, (time.monotonic() - start if recorded >= offered else None)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    pbx = f"load-{uuid.uuid4().hex[:6]}"
    sim, written = timed_simulator(args)
    codes = await ensure_agents(args.database_url, sim)
    callers = await callers_from_db(args.database_url, limit=5000)
    ami_port = await sim.start(port=0)
    ports = [_free_port() for _ in range(args.processes)]
    base_env = {
        **os.environ,
        "CALLCENTER_DATABASE_URL": args.database_url,
        "CALLCENTER_BUS_URL": args.bus_url,
        "CALLCENTER_BUS_PREFIX": pbx,
        "CALLCENTER_AGI_ENABLED": "false",
        "CALLCENTER_WS_QUEUE_SIZE": "1024",
        "CALLCENTER_AMI_SERVERS": json.dumps([{"name": pbx, "port": ami_port, "secret": SECRET}]),
    }
    backends = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "callcenter",
            "--log-level",
            "WARNING",
            "serve",
            env={**base_env, "CALLCENTER_HTTP_PORT": str(port)},
        )
        for port in ports
    ]
    db = database(args.database_url)
    fleet: DeskFleet | None = None
    kill: dict[str, Any] = {}
    try:
        await asyncio.wait_for(sim.first_login.wait(), 60)
        await asyncio.sleep(2.0)  # every process up and subscribed to the bus
        specs = []
        for i, code in enumerate(codes):
            token, _ = await create_token(uow=db.uow, role="agent", agent_code=code)
            first = i % len(ports)
            specs.append((code, ports[first:] + ports[:first], token))
        fleet = DeskFleet(specs, failover=args.kill_at > 0)
        await fleet.start()
        cpu_before = [_cpu_seconds(b.pid) for b in backends]
        wall = time.perf_counter()
        killer = asyncio.create_task(_kill_later(args, backends, ports, kill))
        offered = await offer_calls(sim, callers, args)
        await killer
        await asyncio.wait_for(sim.wait_idle(), 120)  # every call plays out to its end
        recorded, drain_s = await _drained(args.database_url, pbx, offered)
        wall = time.perf_counter() - wall
        cpu = [
            None if b.returncode is not None else (_cpu_seconds(b.pid) - c) / wall * 100
            for b, c in zip(backends, cpu_before, strict=True)
        ]
        rss = [None if b.returncode is not None else _rss_mb(b.pid) for b in backends]
        seen = await fleet.stop()
    finally:
        for backend in backends:
            if backend.returncode is None:
                backend.terminate()
        for backend in backends:
            await asyncio.wait_for(backend.wait(), 30)
        await sim.stop()
        await db.aclose()
    figures = {
        **latency_figures(written, seen),
        "calls_offered": offered,
        "calls_recorded": recorded,
        "records_drain_s": "-" if drain_s is None else round(drain_s, 1),
        "rss_mb": ",".join("-" if r is None else f"{r:.0f}" for r in rss),
        "cpu_pct": ",".join("-" if c is None else f"{c:.0f}" for c in cpu),
        **(_around_kill(kill, written, seen) if kill else {}),
    }
    if not args.no_bare:  # the same rings through one websocket server doing nothing else
        figures |= await bare_ceiling(written, max(64, seen["pop_bytes"] - 80))
        figures["p99_ratio_to_bare"] = ratio(figures)
    return figures | whole_truth(written, seen)


async def _leader_port(ports: list[int]) -> int | None:
    """The HTTP port of the process holding the AMI connection (its /metrics says so)."""
    import httpx

    async with httpx.AsyncClient(timeout=5) as client:
        for port in ports:
            text = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
            if any(
                line.startswith("callcenter_ami_leader") and line.endswith(" 1.0")
                for line in text.splitlines()
            ):
                return port
    return None


async def _kill_later(
    args: argparse.Namespace,
    backends: list[asyncio.subprocess.Process],
    ports: list[int],
    kill: dict[str, Any],
) -> None:
    """SIGKILL one process --kill-at seconds into the calls; note which and when."""
    if args.kill_at <= 0:
        return
    await asyncio.sleep(args.kill_at)
    leader = await _leader_port(ports)
    if args.kill == "leader":
        victim = ports.index(leader) if leader is not None else 0
    else:
        victim = next(i for i, port in enumerate(ports) if port != leader)
    os.kill(backends[victim].pid, signal.SIGKILL)
    kill.update(at=time.monotonic(), role="leader" if ports[victim] == leader else "other")
    await backends[victim].wait()


def _around_kill(
    kill: dict[str, Any], written: dict[tuple[str, str], float], seen: dict[str, Any]
) -> dict[str, Any]:
    """What the kill cost the floor: time without a socket, pops of the rings just after."""
    at, arrivals = kill["at"], seen["arrivals"]
    back = [up - at for _, lost, up in seen["outages"] if lost >= at - 1]
    after = sorted(
        (arrivals[key] - t) * 1000
        for key, t in written.items()
        if at <= t < at + 30 and key in arrivals
    )
    firsts = [arrivals[key] for key, t in written.items() if t >= at and key in arrivals]
    return {
        "killed": kill["role"],
        "resume_max_s": round(max(back), 2) if back else None,
        "resyncs": seen["resyncs"],
        "after_kill_p99_ms": round(after[int(len(after) * 0.99)], 1) if after else None,
        "first_pop_after_kill_ms": round((min(firsts) - at) * 1000, 1) if firsts else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a migrated, seeded PostgreSQL")
    parser.add_argument("--bus-url", default="redis://127.0.0.1:6379/0")
    common_arguments(parser)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--agents", type=int, default=100)
    parser.add_argument("--kill-at", type=float, default=0.0, help="s into the calls; 0: none")
    parser.add_argument("--kill", choices=("leader", "other"), default="leader")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare-server ceiling")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    print_figures(asyncio.run(run(args)))


if __name__ == "__main__":
    main()
