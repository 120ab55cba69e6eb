"""An evening of out-of-hours callbacks, made the next morning by N agents (issue 11's benchmark).

The whole app under uvicorn on a temporary SQLite database, its AMI listener logged in to the
simulated Asterisk (time scale --time-scale: its seconds pass that much faster). In the evening
the router files --callbacks callback items (`request_callback`, one per caller, as the
out-of-hours route does) while nobody is logged in. At opening --agents agents log in to the
member hotline (QueueAdd, so presence comes from the PBX's own events) and each desktop (a real
websocket and the REST API) accepts every offer; the backend dials agent-first (Originate to the
agent's phone, then the customer; the simulated network answers after ~--ring-s and talks
~--talk-s simulated seconds, exponential); when the attempt's call ends the agent completes the
item at once. Agents think for no time: the figure is the system's, not the people's.

Figures: all_dialled_sim_min (opening to the last callback dialled, simulated minutes: the
target is all made within the first opening hour), drain_sim_min (to the last one done),
ideal_sim_min (the calls' mean ring + talk + the agent's answer, packed without a gap: no
software can drain faster), overhead_per_call_ms (wall clock an agent spends per call beyond the
call itself: offer, accept, Originate, complete, and the idle tail while the last calls run;
the compressed clock counts each such real millisecond 1/time-scale times), offered_per_s
and drain_wall_s (wall clock), reoffer_p50/p99_ms (an agent's complete answered -> the next
offer frame at their desktop), attempts (Originates),
twice (numbers dialled more than once), lost (items not done), full_reads (times the offering
loop read every open item: 1, at start).

The last line is `callbacks=… agents=… all_dialled_sim_min=… drain_sim_min=… ideal_sim_min=…
offered_per_s=… overhead_per_call_ms=… reoffer_p50_ms=… reoffer_p99_ms=… attempts=… twice=…
lost=… full_reads=…`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import websockets

from callcenter.adapters.ami.commands import AmiCommands
from callcenter.adapters.db.migrate import upgrade
from callcenter.bootstrap import open_database
from callcenter.domain.agents.records import Skill
from callcenter.runtime import Runtime
from callcenter.services.tokens import create_token
from callcenter.settings import AmiServer, Settings
from callcenter.sim.pstn import Pstn
from callcenter.sim.server import SimulatedAsterisk

SECRET = "bench"
GROUP = "member-hotline"


class Floor:
    """What the desktops saw."""

    def __init__(self) -> None:
        self.offers = 0
        self.done = 0
        self.reoffer_ms: list[float] = []
        self.freed: dict[str, float] = {}
        self.all_done = asyncio.Event()


async def desktop(code: str, port: int, runtime: Runtime, floor: Floor, total: int) -> None:
    """One agent: accept each offer, complete each callback once its call has ended."""
    token, _ = await create_token(uow=runtime.uow, role="agent", agent_code=code)
    headers = {"Authorization": f"Bearer {token}"}
    base = f"http://127.0.0.1:{port}/api/agents/{code}/work"
    async with (
        httpx.AsyncClient(timeout=30) as http,
        websockets.connect(f"ws://127.0.0.1:{port}/ws/agent", max_size=None) as ws,
    ):
        await ws.send(json.dumps({"type": "hello", "token": token}))
        async for text in ws:
            msg = json.loads(text)
            kind, item = msg.get("type"), msg.get("item_id")
            if kind == "work_offer":
                floor.offers += 1
                freed = floor.freed.pop(code, None)
                if freed is not None:
                    floor.reoffer_ms.append((time.perf_counter() - freed) * 1000)
                took = await http.post(f"{base}/{item}/accept", headers=headers)
                if took.status_code != 200:
                    print(f"accept {item} by {code}: {took.status_code} {took.text}")
            elif kind == "work_update" and msg.get("state") == "answered":
                done = await http.post(
                    f"{base}/{item}/complete", json={"disposition": "order_status"}, headers=headers
                )
                if done.status_code != 200:
                    print(f"complete {item} by {code}: {done.status_code} {done.text}")
                    continue
                floor.freed[code] = time.perf_counter()
                floor.done += 1
                if floor.done >= total:
                    floor.all_done.set()
            elif kind == "work_update" and msg.get("state") in ("retry", "failed", "cancelled"):
                floor.freed[code] = time.perf_counter()


async def seed_agents(url: str, agents: int) -> list[str]:
    await upgrade(url)
    codes = [str(3001 + n) for n in range(agents)]
    async with open_database(url) as db, db.uow() as uow:
        for code in codes:
            await uow.agents.add(
                code=code,
                name=f"Agent {code}",
                interface=f"Local/{code}@agents/n",
                state_interface=None,
                skills=[Skill(GROUP, 5)],
            )
        await uow.commit()
    return codes


async def evening(args: argparse.Namespace) -> dict[str, Any]:
    import uvicorn

    from callcenter.app import create_app
    from callcenter.commands.serve import server_config

    pstn = Pstn(rates={"answer": 1.0}, ring_mean_s=args.ring_s, talk_mean_s=args.talk_s)
    sim = SimulatedAsterisk(
        "callcenter",
        SECRET,
        time_scale=args.time_scale,
        noise=False,
        seed=5,
        with_default_members=False,
        record_calls=False,
        pstn=pstn,
    )
    dialled: Counter[str] = Counter()
    dialled_at: list[float] = []  # simulated time of each Originate
    real_originate = sim.start_originate

    def counted(action: dict[str, Any]) -> str | None:
        dialled[str(action.get("Exten") or action.get("exten"))] += 1
        dialled_at.append(sim.now())
        return real_originate(action)

    sim.start_originate = counted  # type: ignore[method-assign]
    ami_port = await sim.start(port=0)
    tmp = tempfile.TemporaryDirectory()
    url = f"sqlite+aiosqlite:///{Path(tmp.name) / 'bench.db'}"
    codes = await seed_agents(url, args.agents)
    settings = Settings(
        database_url=url,
        ami_servers=[AmiServer(name="pbx1", port=ami_port, secret=SECRET)],  # type: ignore[arg-type]
        agi_enabled=False,
        log_level="WARNING",
        callback_window="00:00-23:59",
        work_files_dir=Path(tmp.name) / "files",
    )
    app = create_app(settings)
    server = uvicorn.Server(server_config(app, settings, port=0, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    runtime: Runtime = app.state.runtime
    work, offers = runtime.work_items, runtime.work_offers
    assert work is not None and offers is not None
    listener = runtime.listeners["pbx1"]
    while not listener.connected:
        await asyncio.sleep(0.02)

    filed_at = time.perf_counter()
    for n in range(args.callbacks):  # the evening: the out-of-hours route files each caller
        caller = f"+86139{n:08d}"
        await work.request_callback(
            group=GROUP, caller=caller, did=None, reason="out of hours", at=datetime.now(UTC)
        )
    filing_s = time.perf_counter() - filed_at

    floor = Floor()
    desks = [asyncio.create_task(desktop(c, port, runtime, floor, args.callbacks)) for c in codes]
    await asyncio.sleep(1.0)  # every desktop has said hello
    opened, opened_sim = time.perf_counter(), sim.now()
    pbx = AmiCommands(listener, name="pbx1")
    for code in codes:  # the morning: everyone logs in to the hotline
        await pbx.add_member(
            queue=GROUP,
            interface=f"Local/{code}@agents/n",
            member_name=f"Agent {code}",
            state_interface=None,
            penalty=0,
        )
    try:
        await asyncio.wait_for(floor.all_done.wait(), args.timeout_s)
    except TimeoutError:
        print(f"timed out: {floor.done} of {args.callbacks} done")
    drain_wall, drain_sim = time.perf_counter() - opened, sim.now() - opened_sim
    call_wall = (args.ring_s + args.talk_s + 1) * args.time_scale  # one call's mean, wall clock
    for task in desks:
        task.cancel()
    await asyncio.gather(*desks, return_exceptions=True)
    async with runtime.uow() as uow:
        done = len(await uow.work_items.find(kind="callback", status="done", limit=10**6))
    full_reads = offers.full_reads
    server.should_exit = True
    await serving
    await sim.stop()
    tmp.cleanup()
    cuts = statistics.quantiles(floor.reoffer_ms, n=100) if len(floor.reoffer_ms) > 1 else [0] * 99
    return {
        "filing_s": round(filing_s, 1),
        "drain_wall_s": round(drain_wall, 1),
        "callbacks": args.callbacks,
        "agents": args.agents,
        "all_dialled_sim_min": round((max(dialled_at, default=opened_sim) - opened_sim) / 60, 1),
        "drain_sim_min": round(drain_sim / 60, 1),
        "ideal_sim_min": round(
            args.callbacks * (args.ring_s + args.talk_s + 1) / args.agents / 60, 1
        ),
        "offered_per_s": round(floor.offers / drain_wall, 1),
        "overhead_per_call_ms": round(
            1000 * (drain_wall * args.agents / args.callbacks - call_wall)
        ),
        "reoffer_p50_ms": round(statistics.median(floor.reoffer_ms or [0]), 1),
        "reoffer_p99_ms": round(cuts[98], 1),
        "attempts": sum(dialled.values()),
        "twice": sum(1 for n in dialled.values() if n > 1),
        "lost": args.callbacks - done,
        "full_reads": full_reads,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callbacks", type=int, default=2000)
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--talk-s", type=float, default=30.0, help="simulated, mean")
    parser.add_argument("--ring-s", type=float, default=4.0, help="simulated, mean")
    parser.add_argument("--time-scale", type=float, default=0.02)
    parser.add_argument("--timeout-s", type=float, default=900.0)
    args = parser.parse_args()
    figures = asyncio.run(evening(args))
    print(" ".join(f"{k}={v}" for k, v in figures.items() if k in ("filing_s", "drain_wall_s")))
    print(" ".join(f"{k}={v}" for k, v in figures.items() if k not in ("filing_s", "drain_wall_s")))


if __name__ == "__main__":
    main()
