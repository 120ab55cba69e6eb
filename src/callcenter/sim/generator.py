"""Rate-based call generator: Poisson arrivals, agents that answer or not, callers who give up."""

from __future__ import annotations

import csv
import logging
import random
from dataclasses import dataclass, field
from pathlib import Path

from callcenter.sim.model import ENTRY_POINTS, Member, PbxModel, interface_of
from callcenter.sim.server import SimulatedAsterisk

log = logging.getLogger(__name__)

DEFAULT_CALLERS: list[tuple[str | None, str | None]] = [
    ("+8613501234567", "Li Na"), ("+8613011112222", None), ("+886912345678", "Lin Mei"),
    ("+8613761234567", "刘德明"), ("057187654321", None), ("+4930123456789", "Peter Schmidt"),
    ("+8613698765432", "Zhang Hua"), ("+8613122223333", "黄晓燕"), ("02087654321", None),
    (None, None),
]  # fmt: skip


@dataclass
class Traffic:
    """Distributions of the generated calls (seconds; seeded through the simulator's rng)."""

    rate: float = 0.5  # calls per second, Poisson arrivals
    queues: list[str] = field(default_factory=lambda: list(ENTRY_POINTS.values()))
    patience_mean_s: float = 45.0  # exponential; callers who would wait longer stay on
    talk_median_s: float = 30.0  # lognormal
    talk_sigma: float = 0.6
    agent_hangs_up: float = 0.5  # share of answered calls the agent ends
    weights: dict[str, float] | None = None  # queue -> share of the calls (None: even)


def read_callers(path: Path) -> list[tuple[str | None, str | None]]:
    """`number,name` lines (name optional, '#' comments); an empty number is a withheld caller."""
    out: list[tuple[str | None, str | None]] = []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh):
            if not row or row[0].startswith("#"):
                continue
            name = row[1].strip() if len(row) > 1 and row[1].strip() else None
            out.append((row[0].strip() or None, name))
    if not out:
        raise ValueError(f"{path}: no callers in file")
    return out


async def callers_from_db(url: str, limit: int = 5000) -> list[tuple[str | None, str | None]]:
    """Customers' numbers and names from the project's database (phone_numbers x customers)."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                text(
                    "SELECT p.raw, c.name FROM phone_numbers p "
                    "JOIN customers c ON c.id = p.customer_id ORDER BY p.id LIMIT :n"
                ),
                {"n": limit},
            )
            found: list[tuple[str | None, str | None]] = [(r[0], r[1]) for r in rows]
    finally:
        await engine.dispose()
    if not found:
        raise ValueError("no phone numbers in the database")
    return found


def staff(model: PbxModel, agents: int) -> None:
    """Grow the default 10 agents to `agents` (1011… spread over the queues) or trim to fewer."""
    names = list(model.queues)
    for n in range(11, agents + 1):
        ext = f"10{n:02d}"
        agent = model.agent(interface_of(ext), f"Agent {ext}", f"Custom:agent{ext}")
        queue = model.queues[names[(n - 11) % len(names)]]
        queue.members[agent.interface] = Member(agent=agent, login_time=model.epoch)
    keep = {interface_of(f"10{n:02d}") for n in range(1, agents + 1)}
    for queue in model.queues.values():
        for iface in [i for i in queue.members if i not in keep]:
            del queue.members[iface]


async def generate(
    sim: SimulatedAsterisk,
    traffic: Traffic,
    callers: list[tuple[str | None, str | None]] | None = None,
    *,
    duration_s: float | None = None,
) -> int:
    """Place calls until `duration_s` (simulated) passes or forever; returns the calls placed."""
    rng: random.Random = sim.rng
    pool = callers or DEFAULT_CALLERS
    entries = [e for e, q in ENTRY_POINTS.items() if q in traffic.queues] or list(ENTRY_POINTS)
    started, placed = sim.now(), 0
    while duration_s is None or sim.now() - started < duration_s:
        await sim.sleep(rng.expovariate(traffic.rate))
        num, name = rng.choice(pool)
        patience = rng.expovariate(1 / traffic.patience_mean_s)
        if traffic.weights:
            shares = [traffic.weights.get(ENTRY_POINTS[e], 0.0) for e in entries]
            entry = rng.choices(entries, weights=shares)[0]
        else:
            entry = rng.choice(entries)
        sim.place_call(
            num,
            name,
            entry,
            talk_s=rng.lognormvariate(0, traffic.talk_sigma) * traffic.talk_median_s,
            caller_hangs_up_after=patience,
            hangup_by="agent" if rng.random() < traffic.agent_hangs_up else "caller",
        )
        placed += 1
    log.info("generated %d calls", placed)
    return placed
