"""Soak: a whole backend runtime under accelerated traffic; is its memory flat after warm-up?

The backend (AMI listener, call tracking, screen pops from the database, call store, wallboard,
push hub) runs in this process, built by `build_runtime` as `serve` builds it, with one hub
subscription per agent standing for its desktop (no HTTP or websocket layer: those are measured
by pop_latency.py). The simulated Asterisk runs `--speed` times faster than real time and offers
`--calls-per-agent-hour` calls per agent; `--sim-minutes` of that traffic are played. The push
backlog's age bound is scaled the same way (`--backlog-age-s` simulated seconds).

RSS (of this whole process: backend, simulator and desks) is sampled every `--sample-s`; the
growth is fitted over the samples after the first `--warmup` share of the run, per simulated
minute. With `--tracemalloc` the top allocations at the end and the top growths since the end of
the warm-up are printed. The last line is
`rss_start_mb=… rss_end_mb=… rss_max_mb=… growth_mb_per_min=…` (plus calls and backlog figures).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from pop_latency import SECRET, ensure_agents

from callcenter.adapters.db.migrate import upgrade
from callcenter.bootstrap import build_runtime
from callcenter.runtime import Runtime
from callcenter.seeding.loader import seed_database
from callcenter.settings import AmiServer, Settings
from callcenter.sim.generator import callers_from_db, staff
from callcenter.sim.server import SimulatedAsterisk


def rss_mb() -> float:
    """Resident memory of this process, from /proc (Linux)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def desks(runtime: Runtime, codes: list[str], stop: asyncio.Event) -> list[int]:
    """One subscription per agent, drained as a desktop would; returns messages per desk."""
    counts = [0] * len(codes)

    async def desk(i: int, code: str) -> None:
        with runtime.hub.subscribe(runtime.agent_channel(code)) as sub:
            async for _ in sub:
                counts[i] += 1

    tasks = [asyncio.create_task(desk(i, c)) for i, c in enumerate(codes)]
    await stop.wait()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return counts


async def soak(args: argparse.Namespace) -> dict[str, Any]:
    tmp = tempfile.TemporaryDirectory()
    url = args.database_url
    if url is None:
        url = f"sqlite+aiosqlite:///{Path(tmp.name) / 'soak.db'}"
        await upgrade(url)
        await seed_database(url, customers=args.customers, seed=args.seed)
    sim = SimulatedAsterisk(
        "callcenter",
        SECRET,
        time_scale=1 / args.speed,
        seed=args.seed,
        answer_delay_s=4.0,
        talk_mean_s=args.talk_s,
        record_calls=False,
    )
    staff(sim.model, args.agents)
    codes = await ensure_agents(url, sim)
    callers = await callers_from_db(url, limit=5000)
    port = await sim.start(port=0)
    settings = Settings(
        database_url=url,
        ami_servers=[AmiServer(name="soak", port=port, secret=SECRET)],  # type: ignore[arg-type]
        agi_enabled=False,
        # the backlog's age bound is in real seconds: scaled, it bounds the same simulated span
        ws_backlog_age_s=args.backlog_age_s / args.speed,
    )
    if args.tracemalloc:
        tracemalloc.start(args.tracemalloc_frames)
    runtime = await build_runtime(settings)
    stop = asyncio.Event()
    desk_task = asyncio.create_task(desks(runtime, codes, stop))
    rng = random.Random(args.seed)
    rate = args.agents * args.calls_per_agent_hour / 3600 * args.speed  # calls per real second
    real_s = args.sim_minutes * 60 / args.speed
    samples: list[tuple[float, float]] = []  # (simulated minute, rss)
    warm_snapshot: tracemalloc.Snapshot | None = None
    calls = 0
    started = time.perf_counter()
    next_call = next_sample = started
    try:
        await sim.first_login.wait()
        while (now := time.perf_counter()) - started < real_s:
            if now >= next_sample:
                minute = (now - started) * args.speed / 60
                samples.append((minute, rss_mb()))
                print(
                    f"sim_min={minute:6.2f} rss_mb={samples[-1][1]:7.1f} calls={calls}"
                    f" backlog_kb={runtime.hub.backlog_chars() / 1024:.0f}"
                    f" stored={runtime.store.stored}",
                    flush=True,
                )
                next_sample += args.sample_s
                warm = minute >= args.warmup * args.sim_minutes
                if warm_snapshot is None and args.tracemalloc and warm:
                    warm_snapshot = tracemalloc.take_snapshot()
            while next_call <= now:
                number, name = rng.choice(callers)
                entry = f"800{rng.choice((1, 1, 1, 2, 2, 6))}"
                talk = rng.expovariate(1 / args.talk_s)
                sim.place_call(number, name, entry, talk_s=talk, caller_hangs_up_after=120)
                calls += 1
                next_call += 1 / rate
            await asyncio.sleep(0.02)
        samples.append((args.sim_minutes, rss_mb()))
        if args.tracemalloc:
            report_tracemalloc(warm_snapshot, args.top)
    finally:
        stop.set()
        delivered = await desk_task
        stored = runtime.store.stored
        try:  # an overloaded run may not wind down: the figures are printed all the same
            await asyncio.wait_for(runtime.close(), 30)
            await asyncio.wait_for(sim.stop(), 10)
        except TimeoutError:
            print("-- shutdown did not finish within 40 s (overloaded run)", flush=True)
        tmp.cleanup()
    return {
        **figures(samples, args.warmup * args.sim_minutes),
        "calls": calls,
        "stored": stored,
        "backlog_kb": round(runtime.hub.backlog_chars() / 1024),
        "desk_messages": sum(delivered),
    }


def figures(samples: list[tuple[float, float]], warm_minute: float) -> dict[str, Any]:
    """RSS at start, end and max, and its slope (MB per simulated minute) after the warm-up."""
    rss = [r for _, r in samples]
    after = [(m, r) for m, r in samples if m >= warm_minute]
    slope = 0.0
    if len(after) >= 2:
        xs, ys = [m for m, _ in after], [r for _, r in after]
        slope = statistics.linear_regression(xs, ys).slope
    return {
        "rss_start_mb": round(rss[0], 1),
        "rss_end_mb": round(rss[-1], 1),
        "rss_max_mb": round(max(rss), 1),
        "growth_mb_per_min": round(slope, 2),
    }


def report_tracemalloc(warm: tracemalloc.Snapshot | None, top: int) -> None:
    """The largest live allocations now, and what grew most since the warm-up ended."""
    now = tracemalloc.take_snapshot().filter_traces(
        [tracemalloc.Filter(False, tracemalloc.__file__)]
    )
    traced = tracemalloc.get_traced_memory()[0] / 2**20
    print(f"-- tracemalloc: top {top} allocations by line ({traced:.1f} MB traced)")
    for stat in now.statistics("lineno")[:top]:
        print(f"   {stat.size / 1024:9.1f} KiB {stat.count:8d} blocks  {stat.traceback}")
    if warm is not None:
        print(f"-- tracemalloc: top {top} growths since the warm-up")
        for diff in now.compare_to(warm, "lineno")[:top]:
            size, count = diff.size_diff / 1024, diff.count_diff
            print(f"   {size:+9.1f} KiB {count:+8d} blocks  {diff.traceback}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--sim-minutes", type=float, default=10.0, help="simulated minutes")
    parser.add_argument("--speed", type=float, default=4.0, help="simulated seconds per real s")
    parser.add_argument("--calls-per-agent-hour", type=float, default=12.0)
    parser.add_argument("--talk-s", type=float, default=120.0, help="mean talk time (simulated)")
    parser.add_argument("--sample-s", type=float, default=5.0, help="real seconds between samples")
    parser.add_argument("--backlog-age-s", type=float, default=120.0, help="simulated seconds")
    parser.add_argument("--warmup", type=float, default=0.3, help="share of the run not fitted")
    parser.add_argument("--customers", type=int, default=2000, help="customers to seed (SQLite)")
    parser.add_argument("--database-url", default=None, help="a migrated, seeded database")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tracemalloc", action="store_true", help="print top allocations")
    parser.add_argument("--tracemalloc-frames", type=int, default=1)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    result = asyncio.run(soak(args))
    print(" ".join(f"{k}={v}" for k, v in result.items()), flush=True)


if __name__ == "__main__":
    main()
