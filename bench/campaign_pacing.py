"""Campaign pacing cost: decisions/s of the pure pacing function, and dial-to-originate latency
(the dialer's decision -> do-not-call check and attempt committed in SQLite -> Originate
accepted by the simulated Asterisk over AMI) with about 50 calls/s offered for `--seconds`.

50 calls/s: 25 agents stay ready because every line is busy (the simulator, in a process of its
own as a PBX would be, signals busy after 0.5 s), so progressive pacing keeps ~25 lines in the
air, one pacing tick every 0.1 s; the latency of a call counts from the tick that picked it.

Last line: `decisions_per_s=… dial_to_originate_p50_ms=… dial_to_originate_p99_ms=…
offered_calls_per_s=… originates=…` (target p99 <= 20 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import random
import statistics
import sys
import tempfile
import time
from datetime import time as clock_time
from pathlib import Path

from campaign_rig import SECRET

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


async def originate_latency(args: argparse.Namespace, folder: Path) -> tuple[list[float], float]:
    url = f"sqlite+aiosqlite:///{folder / 'pacing.db'}"
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
        target=_pbx, args=(child, args.seed), daemon=True
    )
    pbx_process.start()
    port = int(parent.recv())

    def protocol() -> CallCenterAMIProtocol:
        made = CallCenterAMIProtocol()
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
    latencies: list[float] = []
    dialer = CampaignDialer(
        campaign=campaign,
        records=records,
        ledger=store,
        pbx=pbx,
        clock=time.time,
        region="CN",
        default_zone="Asia/Shanghai",
        ring_timeout_s=10.0,
        on_originate=latencies.append,
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
    task = asyncio.create_task(dialer.run(tick_s=0.1, sleep=asyncio.sleep))
    await asyncio.sleep(args.seconds)
    dialer.state = "stopped"
    await task
    await listener.stop()
    pbx_process.terminate()
    pbx_process.join(5)
    await db.aclose()
    return latencies, len(latencies) / args.seconds


def _pbx(conn: object, seed: int) -> None:
    """The simulated Asterisk in its own process: every customer's line is busy."""

    async def serve() -> None:
        sim = SimulatedAsterisk(
            "callcenter",
            SECRET,
            noise=False,
            seed=seed,
            with_default_members=False,
            record_calls=False,
            pstn=Pstn(rates={"busy": 1.0}, ring_mean_s=1.0, talk_mean_s=1.0),
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
    with tempfile.TemporaryDirectory() as folder:
        latencies, offered = await originate_latency(args, Path(folder))
    ms = [x * 1000 for x in latencies]
    print(
        f"decisions_per_s={rate:.0f} "
        f"dial_to_originate_p50_ms={statistics.median(ms) if ms else 0.0:.2f} "
        f"dial_to_originate_p99_ms={pct(ms, 0.99):.2f} "
        f"offered_calls_per_s={offered:.1f} originates={len(ms)}"
    )
    return 0


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--decisions", type=int, default=50_000)
    p.add_argument("--seconds", type=float, default=20.0)
    p.add_argument("--agents", type=int, default=25)
    p.add_argument("--seed", type=int, default=11)
    return p.parse_args(argv)


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    sys.exit(asyncio.run(main(parse())))
