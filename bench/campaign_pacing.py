"""Campaign pacing cost: decisions/s of the pure pacing function, and dial-to-originate latency
(the dialer's decision -> do-not-call check and attempt committed in SQLite -> Originate
written on the AMI socket -> accepted by the simulated Asterisk) at `--rate` calls/s offered.

The offered load: every agent stays ready because every line is busy, so progressive pacing
keeps one line in the air per agent and redials as each line frees. The simulator (in a process
of its own, as a PBX would be) signals busy after an exponential time of mean `--hold-s`, so
lines free at random moments; `--agents` defaults to rate x hold + 1 lines, which offers a bit
more than `--rate` (the measured rate is printed). `--bursts` is the old traffic instead: busy
after exactly 0.5 s, so all lines free together and are redialled in one burst per tick.
The latency of a call counts from the pacing decision that picked it; calls decided in the first
`--warmup-s` (the cold start: every line free at once, statements compiled) are not counted,
nor is that second's CPU.

Last line: `decisions_per_s=… dial_to_originate_p50_ms=… dial_to_originate_p99_ms=…
dial_to_written_p50_ms=… dial_to_written_p99_ms=… offered_calls_per_s=… originates=…
cpu_ms_per_dial=… load1=…` (dial_to_originate: until Asterisk accepted it; dial_to_written:
until it was written on the socket; cpu_ms_per_dial: the dialling process's CPU, all threads,
over the run / originates; target p99 <= 20 ms at 50 calls/s).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import time as clock_time
from pathlib import Path
from typing import Any, ClassVar

from campaign_rig import SECRET
from scratch_db import scratch_database

from callcenter.adapters.ami.commands import AmiCommands
from callcenter.adapters.ami.listener import AmiListener
from callcenter.adapters.ami.pipeline import AmiPipeline
from callcenter.adapters.ami.protocol import CallCenterAMIProtocol
from callcenter.adapters.ami.translate import wanted_frame
from callcenter.adapters.db.database import Database
from callcenter.adapters.db.migrate import upgrade
from callcenter.adapters.db.repo_campaigns import SqlCampaigns
from callcenter.domain.calls import CallTracker
from callcenter.domain.campaigns.abandon import WindowRate
from callcenter.domain.campaigns.campaign import CallingWindow, Campaign, RetryPolicy
from callcenter.domain.campaigns.pacing import PacingInputs, decide
from callcenter.services.campaign_dialer import CampaignDialer
from callcenter.settings import AmiServer
from callcenter.sim.pstn import Pstn
from callcenter.sim.server import SimulatedAsterisk


def decisions_per_s(count: int, seed: int) -> float:
    """Predictive decisions on varied floors (agents, lines in the air, abandon windows)."""
    rng = random.Random(seed)
    inputs = []
    for _ in range(1000):
        answered = rng.randint(0, 5000)
        rates = {
            w: WindowRate(w, answered * k, rng.randint(0, answered * k // 20 + 1))
            for w, k in (("1h", 1), ("24h", 10), ("30d", 100))
        }
        lines = rng.randint(0, 80)
        inputs.append(
            PacingInputs(
                mode="predictive",
                agents_ready=rng.randint(0, 25),
                agents_on_call=rng.randint(0, 25),
                lines_in_flight=lines,
                answer_rate=rng.uniform(0.1, 0.5),
                ring_s=rng.uniform(5, 20),
                handle_s=rng.uniform(60, 400),
                abandon=rates,
                pending_live=tuple(rng.uniform(0, 0.3) for _ in range(lines)),
            )
        )
    started = time.perf_counter()
    for i in range(count):
        decide(inputs[i % len(inputs)])
    return count / (time.perf_counter() - started)


class StampedProtocol(CallCenterAMIProtocol):
    """The AMI protocol noting when each Originate was written on the socket."""

    written: ClassVar[dict[str, float]] = {}

    def send(self, data: Any, as_list: bool = False) -> Any:
        if isinstance(data, dict) and data.get("Action") == "Originate":
            self.written[str(data.get("ActionID"))] = time.perf_counter()
        return super().send(data, as_list=as_list)


@dataclass
class Run:
    accepted: list[float]  # seconds from the decision to Asterisk's acceptance, per call
    written: list[float]  # seconds from the decision to the write on the socket
    offered: float  # calls/s
    cpu_per_dial: float  # seconds of this process's CPU per originate


async def originate_latency(args: argparse.Namespace, url: str) -> Run:
    await upgrade(url)
    db = Database.open(url)
    store = SqlCampaigns(db.sessions)
    campaign = await store.add(
        Campaign(
            id=0,
            name="pacing",
            mode="progressive",
            window=CallingWindow(clock_time(0, 0), clock_time(23, 59, 59)),
            retry=RetryPolicy(max_attempts=1),
            state="running",
        )
    )
    from callcenter.domain.campaigns.records import ListRecord

    count = int(args.seconds * 80) + 500
    await store.add_records(
        campaign.id,
        [ListRecord(0, campaign.id, f"+86137{i:08d}") for i in range(count)],
    )
    records = await store.dialable(campaign.id)
    forward: list[CampaignDialer] = []
    parent, child = multiprocessing.Pipe()
    pbx_process = multiprocessing.get_context("spawn").Process(
        target=_pbx, args=(child, args.seed, args.hold_s, args.bursts), daemon=True
    )
    pbx_process.start()
    port = int(parent.recv())

    def protocol() -> CallCenterAMIProtocol:
        made = StampedProtocol()
        made.frame_filter = wanted_frame
        return made

    pipeline = AmiPipeline(
        pbx="pbx1",
        tracker=CallTracker(region="CN"),
        on_fact=lambda fact: forward[0].on_fact(fact) if forward else None,
    )
    listener = AmiListener(
        server=AmiServer(name="pbx1", port=port, secret=SECRET),  # type: ignore[arg-type]
        sink=pipeline,
        protocol_factory=protocol,
    )
    await listener.start()
    while not listener.connected:
        await asyncio.sleep(0.01)
    pbx = AmiCommands(listener, name="pbx1")
    accepted: list[float] = []
    written: list[float] = []

    def originated(action_id: str, decided: float) -> None:
        wrote = StampedProtocol.written.pop(action_id)
        if decided >= measured_from:  # not the cold start (first statements compiled, ...)
            accepted.append(time.perf_counter() - decided)
            written.append(wrote - decided)

    dialer = CampaignDialer(
        campaign=campaign,
        records=records,
        ledger=store,
        pbx=pbx,
        clock=time.time,
        region="CN",
        default_zone="Asia/Shanghai",
        ring_timeout_s=10.0,
        on_originate=originated,
    )
    forward.append(dialer)
    for i in range(args.agents):
        await pbx.add_member(
            queue="telemarketing",
            interface=f"Local/{2001 + i}@agents/n",
            member_name=f"Agent {2001 + i}",
            state_interface=None,
            penalty=0,
        )
    await asyncio.sleep(0.5)
    measured_from = time.perf_counter() + args.warmup_s
    task = asyncio.create_task(dialer.run(tick_s=args.tick, sleep=asyncio.sleep))
    await asyncio.sleep(args.warmup_s)
    cpu = time.process_time()
    await asyncio.sleep(args.seconds)
    dialer.state = "stopped"
    cpu = time.process_time() - cpu
    await task
    await listener.stop()
    pbx_process.terminate()
    pbx_process.join(5)
    await db.aclose()
    calls = len(accepted)
    return Run(accepted, written, calls / args.seconds, cpu / calls if calls else 0.0)


def _pbx(conn: object, seed: int, hold_s: float, bursts: bool) -> None:
    """The simulated Asterisk in its own process: every customer's line is busy."""

    async def serve() -> None:
        sim = SimulatedAsterisk(
            "callcenter",
            SECRET,
            noise=False,
            seed=seed,
            with_default_members=False,
            record_calls=False,
            pstn=Pstn(
                rates={"busy": 1.0},
                ring_mean_s=0.5 if bursts else hold_s,
                talk_mean_s=1.0,
                signal_after_ring=not bursts,
            ),
        )
        port = await sim.start(port=0)
        conn.send(port)  # type: ignore[attr-defined]
        await asyncio.Event().wait()

    asyncio.run(serve())


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


async def main(args: argparse.Namespace) -> int:
    rate = decisions_per_s(args.decisions, args.seed)
    if args.pg_admin_url:  # PostgreSQL: asyncpg, no worker-thread hop per statement
        async with scratch_database(args.pg_admin_url, "cc_pacing") as url:
            run = await originate_latency(args, url)
    else:
        with tempfile.TemporaryDirectory() as folder:
            run = await originate_latency(args, f"sqlite+aiosqlite:///{Path(folder) / 'pacing.db'}")
    ms = [x * 1000 for x in run.accepted]
    wrote = [x * 1000 for x in run.written]
    print(
        f"decisions_per_s={rate:.0f} "
        f"dial_to_originate_p50_ms={statistics.median(ms) if ms else 0.0:.2f} "
        f"dial_to_originate_p99_ms={pct(ms, 0.99):.2f} "
        f"dial_to_written_p50_ms={statistics.median(wrote) if wrote else 0.0:.2f} "
        f"dial_to_written_p99_ms={pct(wrote, 0.99):.2f} "
        f"offered_calls_per_s={run.offered:.1f} originates={len(ms)} "
        f"cpu_ms_per_dial={run.cpu_per_dial * 1000:.3f} load1={os.getloadavg()[0]:.2f}"
    )
    return 0


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--decisions", type=int, default=50_000)
    p.add_argument("--seconds", type=float, default=20.0)
    p.add_argument("--rate", type=float, default=50.0, help="calls/s to offer")
    p.add_argument("--hold-s", type=float, default=0.5, help="mean time until busy")
    p.add_argument("--agents", type=int, default=0, help="lines (0: rate x hold + 1)")
    p.add_argument("--tick", type=float, default=0.1, help="the dialer's pacing tick")
    p.add_argument("--bursts", action="store_true", help="the old traffic: fixed 0.5 s busy")
    p.add_argument("--warmup-s", type=float, default=1.0, help="dials not counted at first")
    p.add_argument("--seed", type=int, default=11)
    p.add_argument(
        "--pg-admin-url", default=None, help="run on a scratch PostgreSQL database made here"
    )
    args = p.parse_args(argv)
    if not args.agents:
        args.agents = 25 if args.bursts else math.ceil(args.rate * args.hold_s) + 1
    return args


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    sys.exit(asyncio.run(main(parse())))
