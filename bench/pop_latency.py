"""Screen-pop latency: simulated Asterisk -> AMI listener -> websocket, with A agent desktops.

The simulated Asterisk offers calls at R calls/s from seeded customers' numbers to A agents, each
with a real websocket open to the backend. Latency is measured from the moment the simulator writes
an AgentCalled event on the AMI socket to the moment that agent's client receives the pop frame.
Without --database-url a temporary SQLite database is migrated and seeded (--customers); with it,
the database must be migrated and seeded already: the benchmark adds its bench agents (codes
10NN..., interfaces Local/10NN@agents/n) only where they are missing. The last line is
`pop_p50_ms=… pop_p99_ms=… pop_max_ms=… pops=… … calls=… pop_bytes=… bare_p50_ms=… bare_p99_ms=…
bare_max_ms=… p99_ratio_to_bare=… sockets_refused=… rings_without_pop=… incomplete_pops=…`
(bare_*: the same rings replayed afterwards through a websocket server that does nothing else,
frames of the pops' median size, to as many sockets: the ceiling; see bare_fanout.py); the
exit status is 1 when a socket was refused or a ring had no pop (the
figures then do not measure what they claim to). --backend-cpu N holds the backend to core N
(as `taskset -c N` would), to see where one core's cliff is.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bare_fanout import bare_ceiling, ratio
from desk_fleet import DeskFleet

from callcenter.adapters.db.migrate import upgrade
from callcenter.bootstrap import database
from callcenter.domain.agents.records import Skill
from callcenter.seeding.loader import seed_database
from callcenter.services.tokens import create_token
from callcenter.sim.generator import callers_from_db, staff
from callcenter.sim.server import SimulatedAsterisk

SECRET = "bench-secret"


async def ensure_agents(url: str, sim: SimulatedAsterisk) -> list[str]:
    """Every simulated member exists as an agent in the database; returns their codes."""
    db = database(url)
    codes: list[str] = []
    try:
        async with db.uow() as uow:
            for queue in sim.model.queues.values():
                for member in queue.members.values():
                    iface = member.agent.interface
                    code = iface.removeprefix("Local/").split("@")[0]
                    if code in codes:
                        continue
                    codes.append(code)
                    if await uow.agents.get_by_code(code=code) is None:
                        await uow.agents.add(
                            code=code,
                            name=member.agent.name,
                            interface=iface,
                            state_interface=f"Custom:agent{code}",
                            skills=[Skill(group_slug=queue.name, level=10)],
                        )
            await uow.commit()
    finally:
        await db.aclose()
    return codes


def timed_simulator(
    args: argparse.Namespace,
) -> tuple[SimulatedAsterisk, dict[tuple[str, str], float]]:
    """The simulated Asterisk with --agents agents, noting when each AgentCalled is written."""
    sim = SimulatedAsterisk(
        "callcenter",
        SECRET,
        seed=args.seed,
        answer_delay_s=2.0,
        talk_mean_s=4,
        noise=args.dialplan_noise,
    )
    staff(sim.model, args.agents)
    written: dict[tuple[str, str], float] = {}
    emit = sim.emit

    def timed_emit(msg: list[tuple[str, str]]) -> None:
        emit(msg)  # written to every AMI socket's transport now
        if msg and msg[0] == ("Event", "AgentCalled"):
            fields = dict(msg)
            code = fields["Interface"].removeprefix("Local/").split("@")[0]
            written.setdefault((fields["Linkedid"], code), time.monotonic())

    sim.emit = timed_emit  # type: ignore[method-assign]
    return sim, written


def latency_figures(written: dict[tuple[str, str], float], seen: dict[str, Any]) -> dict[str, Any]:
    """p50 / p99 / max of ring-to-pop in ms (over the rings that popped), and what is missing."""
    arrivals = seen["arrivals"]
    latencies = sorted((arrivals[key] - t) * 1000 for key, t in written.items() if key in arrivals)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else None
    return {
        "pop_p50_ms": round(statistics.median(latencies), 2) if latencies else None,
        "pop_p99_ms": None if p99 is None else round(p99, 2),
        "pop_max_ms": round(latencies[-1], 2) if latencies else None,
        "pops": len(latencies),
    }


def whole_truth(written: dict[tuple[str, str], float], seen: dict[str, Any]) -> dict[str, Any]:
    """The figures that say whether the latencies measured what they claim (printed last)."""
    return {
        "sockets_refused": seen["refused"],
        "rings_without_pop": sum(1 for key in written if key not in seen["arrivals"]),
        "incomplete_pops": seen["incomplete"],
    }


def print_figures(figures: dict[str, Any]) -> None:
    """The last line; exit 1 when a socket was refused or a ring had no pop."""
    print(" ".join(f"{k}={v}" for k, v in figures.items()), flush=True)
    if figures["sockets_refused"] or figures["rings_without_pop"]:
        raise SystemExit(1)


def common_arguments(parser: argparse.ArgumentParser) -> None:
    """Options both latency benchmarks take."""
    parser.add_argument("--rate", type=float, default=10.0, help="calls per second")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long calls are offered")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--dialplan-noise",
        action="store_true",
        help="also send VarSet/Newexten traffic (asterisk/manager.conf filters it at the source)",
    )


async def bench(args: argparse.Namespace) -> dict[str, Any]:
    sim, written = timed_simulator(args)
    tmp = tempfile.TemporaryDirectory()
    url = args.database_url
    if url is None:
        url = f"sqlite+aiosqlite:///{Path(tmp.name) / 'bench.db'}"
        await upgrade(url)
        await seed_database(url, customers=args.customers, seed=args.seed)
    codes = await ensure_agents(url, sim)
    callers = await callers_from_db(url, limit=5000)
    ami_port = await sim.start(port=0)
    http_port = _free_port()
    env = {
        **os.environ,
        "CALLCENTER_DATABASE_URL": url,
        "CALLCENTER_HTTP_PORT": str(http_port),
        "CALLCENTER_AGI_ENABLED": "false",
        "CALLCENTER_WS_QUEUE_SIZE": "1024",
        "CALLCENTER_AMI_SERVERS": json.dumps(
            [{"name": "bench", "port": ami_port, "secret": SECRET}]
        ),
    }
    # The backend runs in its own process, as in production, and so do the agents' sockets;
    # ring and receipt are both stamped with CLOCK_MONOTONIC, which all processes share.
    pin = args.backend_cpu  # --backend-cpu: the backend held to that one core (taskset -c)
    backend = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "callcenter",
        "--log-level",
        "WARNING",
        "serve",
        env=env,
        preexec_fn=None if pin is None else lambda: os.sched_setaffinity(0, {pin}),
    )
    db = database(url)
    fleet: DeskFleet | None = None
    try:
        await sim.first_login.wait()
        specs = [
            (code, [http_port], (await create_token(uow=db.uow, role="agent", agent_code=code))[0])
            for code in codes
        ]
        fleet = DeskFleet(specs)
        await fleet.start()
        cpu_before = _cpu_s(backend.pid)
        calls = await offer_calls(sim, callers, args)
        await asyncio.wait_for(sim.wait_idle(), 120)  # calls still queued ring later
        await asyncio.sleep(1.0)  # let the last pops arrive
        cpu_s = _cpu_s(backend.pid) - cpu_before
        rss_mb = _rss_mb(backend.pid)
        server_side = await _server_pop_buckets(http_port)
        seen = await fleet.stop()
    finally:
        backend.terminate()
        try:
            await asyncio.wait_for(backend.wait(), 30)
        except TimeoutError:  # a starved machine: the figures are taken, do not lose them
            backend.kill()
            await backend.wait()
        await sim.stop()
        await db.aclose()
        tmp.cleanup()
    latency = latency_figures(written, seen)
    figures = {
        **latency,
        # CPU time (user + system) per pop while calls ran: the load-independent cost of a pop
        # and of everything else a call brings (AMI parsing, state, wallboard, call updates)
        "backend_cpu_ms_per_pop": round(1000 * cpu_s / latency["pops"], 3)
        if latency["pops"]
        else None,
        "backend_rss_mb": rss_mb,
        "server_pops_within_10ms_pct": server_side,
        "calls": calls,
        "pop_bytes": seen["pop_bytes"],
    }
    if not args.no_bare:  # the same rings through a server that does nothing else
        figures |= await bare_ceiling(written, max(64, seen["pop_bytes"] - 80))
        figures["p99_ratio_to_bare"] = ratio(figures)
    return figures | whole_truth(written, seen)


async def offer_calls(
    sim: SimulatedAsterisk, callers: list[tuple[str | None, str | None]], args: argparse.Namespace
) -> int:
    """Place calls at --rate for --seconds from the seeded customers' numbers."""
    rng = random.Random(args.seed)
    calls = 0
    started = time.perf_counter()
    next_at = started
    while time.perf_counter() - started < args.seconds:
        num, name = rng.choice(callers)
        entry = f"800{rng.choice((1, 1, 1, 2, 2, 6))}"
        sim.place_call(num, name, entry, talk_s=rng.uniform(2, 6), caller_hangs_up_after=30)
        calls += 1
        next_at += 1 / args.rate
        await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
    return calls


async def _server_pop_buckets(port: int) -> float:
    """Share of pops the backend itself sent within 10 ms of the ring event (its /metrics)."""
    import httpx

    async with httpx.AsyncClient(timeout=30) as client:
        text = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
    buckets = {
        line.split('le="')[1].split('"')[0]: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("callcenter_screen_pop_latency_seconds_bucket")
    }
    total = buckets.get("+Inf", 0.0)
    within = buckets.get("0.01", 0.0)
    return round(100 * within / total, 2) if total else 0.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds a process has used so far, from /proc (Linux)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    """Resident memory of a process, from /proc (Linux)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    common_arguments(parser)
    parser.add_argument("--agents", type=int, default=50, help="agents with a desktop socket")
    parser.add_argument("--customers", type=int, default=500, help="customers to seed (SQLite)")
    parser.add_argument("--database-url", default=None, help="a migrated, seeded database")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare-server ceiling")
    parser.add_argument(
        "--backend-cpu", type=int, default=None, help="hold the backend to this one core"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    print_figures(asyncio.run(bench(args)))


if __name__ == "__main__":
    main()
