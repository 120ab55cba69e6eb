"""Campaign benchmark: progressive versus predictive dialling of the same list, at the same time,
each through its own simulated Asterisk over real AMI (see bench/campaign_rig.py).

Defaults: 25 agents, a 20,000-record list, 25 % live answers, 10 % answering machines (AMD hangs
up), 10 % busy, 5 % congestion, the rest ring out after 60 s (the
shipped [outbound] Dial's timeout); answered lines ring 8 s on average;
talk 3 minutes on average; 1.5 simulated hours at time scale 0.02 (one simulated second takes
20 ms), about 2 minutes in all. 1 % of the customers are flagged do-not-call and 100 numbers
still queued are put on the do-not-call list during the run; `dnc_dialled` counts originates
to a number listed at that moment (must be 0).

The last line: `progressive_talk_min_per_agent_hour=… predictive_talk_min_per_agent_hour=…
ratio=… abandon_1h_pct=… abandon_24h_pct=… abandon_30d_pct=… dnc_dialled=… calls_placed=…`
(abandon figures of the predictive run, calls placed by both).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import sys
from typing import Any

from campaign_rig import (
    MemoryLedger,
    Rig,
    bench_campaign,
    campaign_list,
    log_in_agents,
    make_dialer,
    start_rig,
    stop_rig,
)

from callcenter.services.campaign_dialer import CampaignDialer

RATES = {"answer": 0.25, "machine": 0.10, "busy": 0.10, "congestion": 0.05, "noanswer": 0.50}


async def run_mode(mode: str, args: argparse.Namespace, seed: int) -> dict[str, Any]:
    """One campaign for the run's length; its talk time, abandon rates and calls placed."""
    rng = random.Random(seed)
    records = campaign_list(args.records, seed)
    ledger = MemoryLedger()
    flagged = rng.sample(records, len(records) // 100)
    ledger.dnc_customers = {r.customer_id for r in flagged if r.customer_id is not None}
    truth = {r.number for r in flagged}  # what may never be dialled
    forward: list[CampaignDialer] = []
    rig: Rig = await start_rig(
        time_scale=args.time_scale,
        rates=RATES,
        ring_mean_s=args.ring_s,
        talk_mean_s=args.talk_s,
        seed=seed,
        dnc=truth,
        on_fact=lambda fact: forward[0].on_fact(fact) if forward else None,
    )
    dialer = make_dialer(
        rig, bench_campaign(mode, args.cap), records, ledger, ring_timeout_s=args.ring_timeout
    )
    forward.append(dialer)
    await log_in_agents(rig, args.agents)
    sim = rig.sim
    started = sim.now()
    task = asyncio.create_task(dialer.run(tick_s=args.tick, sleep=sim.sleep))
    late = rng.sample(records[len(records) // 2 :], 100)  # still queued well into the run
    hours = args.hours
    await sim.sleep(hours * 3600 / 3)
    for record in late:  # put on the do-not-call list mid-campaign
        truth.add(record.number)
        ledger.dnc.add(record.number)
    await sim.sleep(hours * 3600 * 2 / 3)
    end = sim.now()
    talk_s = dialer.calls.counts.talk_s + sum(
        end - a.connected_at for a in dialer.calls.by_number.values() if a.connected_at
    )
    figures = dialer.figures()
    dialer.state = "stopped"
    await task
    await stop_rig(rig)
    agent_hours = args.agents * (end - started) / 3600
    return {
        "talk_min_per_agent_hour": talk_s / 60 / agent_hours,
        "abandon_rate": figures["abandon_rate"],
        "dnc_dialled": rig.pbx.dnc_dialled,
        "placed": rig.pbx.placed,
        "figures": figures,
        "decisions": dialer.decisions,
    }


async def main(args: argparse.Namespace) -> int:
    progressive, predictive = await asyncio.gather(
        run_mode("progressive", args, args.seed), run_mode("predictive", args, args.seed + 1)
    )
    for name, result in (("progressive", progressive), ("predictive", predictive)):
        print(f"{name}: {result['figures']}", file=sys.stderr)
    ratio = predictive["talk_min_per_agent_hour"] / max(
        progressive["talk_min_per_agent_hour"], 1e-9
    )
    rates = predictive["abandon_rate"]
    print(
        f"progressive_talk_min_per_agent_hour={progressive['talk_min_per_agent_hour']:.2f} "
        f"predictive_talk_min_per_agent_hour={predictive['talk_min_per_agent_hour']:.2f} "
        f"ratio={ratio:.2f} abandon_1h_pct={rates['1h']:.2f} abandon_24h_pct={rates['24h']:.2f} "
        f"abandon_30d_pct={rates['30d']:.2f} "
        f"dnc_dialled={progressive['dnc_dialled'] + predictive['dnc_dialled']} "
        f"calls_placed={progressive['placed'] + predictive['placed']}"
    )
    return 0


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--agents", type=int, default=25)
    p.add_argument("--records", type=int, default=20_000)
    p.add_argument("--hours", type=float, default=1.5, help="simulated hours per campaign")
    p.add_argument("--time-scale", type=float, default=0.02, help="real s per simulated s")
    p.add_argument("--talk-s", type=float, default=180.0, help="mean talk time")
    p.add_argument("--ring-s", type=float, default=8.0, help="mean ring time of answered lines")
    p.add_argument("--ring-timeout", type=float, default=60.0, help="no answer after this")
    p.add_argument("--cap", type=float, default=3.0, help="abandon cap, percent")
    p.add_argument("--tick", type=float, default=1.0, help="pacing period, simulated s")
    p.add_argument("--seed", type=int, default=7)
    return p.parse_args(argv)


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    sys.exit(asyncio.run(main(parse())))
