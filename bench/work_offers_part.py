"""Work-item offering: offer latency over real websockets, and the policy's decisions per second.

Offer latency: the whole app under uvicorn on a temporary SQLite database, 200 agents over the
seven groups (their presence fed as the AMI listener would), each with its desktop websocket
open; 10,000 open items in the store (scheduled callbacks whose next attempt is tomorrow: the
loop reads and sorts them on every pass but may not offer them), then new back-office items
filed at 200/s through intake (sender matched, group checked, stored; intake nudges the loop).
Latency runs from the item's arrival at intake to the `work_offer` frame arriving at the chosen
agent's websocket. Agents hold what they are offered:
the default 2.5 s of arrivals (500 items) fits the floor's 600 places (3 back-office items per
agent), so the figure is the offering path, not a queue for free agents (a longer --seconds
measures that queue too).

Decisions per second: the pure policy (`domain.work_assignment.plan`) alone on one core,
10,000 items over 200 agents, counted per item decided (offered or found no room).

Run as a script: the last line is `offer_p50_ms=… offer_p99_ms=… decisions_per_s=…`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import websockets
from sqlalchemy import insert

from callcenter.adapters.db.migrate import upgrade
from callcenter.adapters.db.tables_work import WorkItemRow
from callcenter.adapters.db.tables_work_offers import WorkOfferRow
from callcenter.domain.agents.records import Skill
from callcenter.domain.calls.facts import AgentStateChanged
from callcenter.domain.work_assignment import AgentLoad, Floor, OpenItem, plan
from callcenter.domain.work_items import Sender
from callcenter.runtime import Runtime
from callcenter.services.work_requests import Intake

GROUPS = (
    "member-hotline",
    "online-service",
    "telemarketing",
    "letters",
    "documents",
    "finance",
    "data-maintenance",
)
KINDS = ("letter", "remittance_slip", "email", "sms", "web", "data_change")


def measure_decisions(agents: int = 200, items: int = 10_000, seconds: float = 3.0) -> float:
    """Items decided per second by the pure policy (fresh floor each round)."""
    rng = random.Random(3)
    backlog = [
        OpenItem(
            id=i,
            group=rng.choice(GROUPS),
            kind=rng.choice((*KINDS, "callback")),
            priority=rng.randint(0, 9),
            created_at=1_000_000.0 + i,
            due_at=None if rng.random() < 0.5 else 2_000_000.0 + rng.random() * 1e5,
        )
        for i in range(items)
    ]
    skills = [{GROUPS[n % 7]: rng.randint(1, 10)} for n in range(agents)]
    decided, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        floor = Floor.of(AgentLoad(code=f"a{n}", skills=skills[n]) for n in range(agents))
        plan(backlog, floor, {}, now=3_000_000.0)
        decided += len(backlog)
    return decided / (time.perf_counter() - started)


async def _setup(url: str, agents: int, backlog: int) -> None:
    from callcenter.bootstrap import open_database

    await upgrade(url)
    async with open_database(url) as db:
        async with db.uow() as uow:
            for n in range(agents):
                code = f"{2000 + n}"
                await uow.agents.add(
                    code=code,
                    name=f"Bench {code}",
                    interface=f"Local/{code}@agents/n",
                    state_interface=None,
                    skills=[Skill(GROUPS[n % 7], 1 + n % 10)],
                )
            await uow.commit()
        now = datetime.now(UTC)
        tomorrow = now + timedelta(days=1)
        async with db.sessions() as session:
            await session.execute(
                insert(WorkItemRow),
                [
                    {
                        "kind": "callback",
                        "group_slug": GROUPS[i % 7],
                        "caller": f"+86139{i:08d}",
                        "status": "new",
                        "channel": "callback",
                        "source": "router",
                        "created_at": now,
                    }
                    for i in range(backlog)
                ],
            )
            await session.execute(
                insert(WorkOfferRow),
                [
                    {"item_id": i + 1, "declined": [], "not_before": tomorrow, "updated_at": now}
                    for i in range(backlog)
                ],
            )
            await session.commit()


def _present(runtime: Runtime, agents: int) -> None:
    """Every agent logged in to their group's queue and available (as the listener reports)."""
    for n in range(agents):
        code = f"{2000 + n}"
        fact = AgentStateChanged(
            pbx="pbx1",
            at=time.time(),
            interface=f"Local/{code}@agents/n",
            member_name=f"Bench {code}",
            state="available",
            reason=None,
            queues=(GROUPS[n % 7],),
            paused_in=(),
        )
        runtime.presence.apply(fact, code)


async def measure_latency(
    *, agents: int = 200, backlog: int = 10_000, rate: float = 200.0, seconds: float = 2.5
) -> list[float]:
    """Arrival -> offer frame latencies (ms) of the items filed during `seconds`."""
    import uvicorn

    from callcenter.app import create_app
    from callcenter.commands.serve import server_config
    from callcenter.services.tokens import create_token
    from callcenter.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        await _setup(url, agents, backlog)
        settings = Settings(
            database_url=url, ami_servers=[], agi_enabled=False, log_level="WARNING"
        )
        app = create_app(settings)
        server = uvicorn.Server(server_config(app, settings, port=0, log_level="warning"))
        serving = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.02)
        port = server.servers[0].sockets[0].getsockname()[1]
        runtime: Runtime = app.state.runtime
        intake_service = runtime.work_items
        assert runtime.work_offers is not None and intake_service is not None
        _present(runtime, agents)
        filed: dict[int, float] = {}
        latencies: list[float] = []

        async def desktop(code: str) -> None:
            token, _ = await create_token(uow=runtime.uow, role="agent", agent_code=code)
            async with websockets.connect(f"ws://127.0.0.1:{port}/ws/agent") as ws:
                await ws.send(json.dumps({"type": "hello", "token": token}))
                async for text in ws:
                    msg = json.loads(text)
                    if msg.get("type") != "work_offer" or msg["item_id"] not in filed:
                        continue
                    latencies.append((time.perf_counter() - filed[msg["item_id"]]) * 1000)

        clients = [asyncio.create_task(desktop(f"{2000 + n}")) for n in range(agents)]
        await asyncio.sleep(2.0)  # every desktop has said hello
        rng = random.Random(11)
        start = time.perf_counter()
        n = 0
        while time.perf_counter() - start < seconds:
            due = start + n / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            arrived = time.perf_counter()
            intake = Intake(  # through intake, which nudges the offering loop
                kind=rng.choice(KINDS),
                subject=f"bench item {n}",
                body="",
                sender=Sender(email=f"reader{n}@example.com"),
                group=GROUPS[n % 7],
            )
            item = await intake_service.submit(intake, actor="bench", now=datetime.now(UTC))
            filed[item.id] = arrived
            n += 1
        await asyncio.sleep(2.0)  # the last offers land
        missing = len(filed) - len(latencies)
        for task in clients:
            task.cancel()
        await asyncio.gather(*clients, return_exceptions=True)
        server.should_exit = True
        await serving
        if missing:
            print(f"warning: {missing} of {len(filed)} items got no offer", file=sys.stderr)
        return latencies


def measure_offers(seconds: float = 2.5) -> dict[str, float]:
    """offer_p50_ms, offer_p99_ms (real websockets) and decisions_per_s (pure policy)."""
    latencies = asyncio.run(measure_latency(seconds=seconds))
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "offer_p50_ms": round(statistics.median(latencies), 2),
        "offer_p99_ms": round(cuts[98], 2),
        "decisions_per_s": round(measure_decisions()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seconds", type=float, default=2.5, help="arrivals at 200/s for this long"
    )
    args = parser.parse_args()
    figures = measure_offers(seconds=args.seconds)
    print(" ".join(f"{k}={v}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
