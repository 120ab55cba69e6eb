"""Work reports benchmark: how long the per-group and per-agent work reports take over a full
92-day range.

Usage: .venv/bin/python bench/work_reports.py [--items N] [--days D] [--runs R] [--database-url URL]
Without --database-url a scratch SQLite file is used. The items are written in bulk (each with
its `created`, `accepted` and, for most, `done` event; a tenth still waiting, a tenth in hand),
spread over the days before today across the seven groups, the kinds and 20 agents; then each
report runs --runs times through its service (the query, the arithmetic, the rows) and the
median is printed. The last line is
`work_items=N days=D groups_report_ms=… agents_report_ms=… group_rows=… agent_rows=…`.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from callcenter.adapters.db.migrate import upgrade
from callcenter.adapters.db.tables_work import WorkItemEventRow, WorkItemRow
from callcenter.bootstrap import open_database
from callcenter.domain.agents.records import Skill
from callcenter.domain.work_items import WORK_KINDS
from callcenter.services.reports import ReportOptions
from callcenter.services.work_reports import work_agents_report, work_groups_report

BATCH = 5_000


def _rows(
    n: int, days: int, groups: list[str], agents: dict[str, int], rng: random.Random
) -> tuple[list[dict[str, Any]], list[list[dict[str, Any]]]]:
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    items, events = [], []
    codes = list(agents)
    for _ in range(n):
        created = end - timedelta(seconds=rng.uniform(0, days * 86_400))
        due = created + timedelta(hours=rng.choice((4, 24, 48)))
        roll = rng.random()
        status = "new" if roll < 0.1 else "accepted" if roll < 0.2 else "done"
        agent = None if status == "new" else rng.choice(codes)
        taken = created + timedelta(minutes=rng.uniform(1, 600))
        closed = taken + timedelta(minutes=rng.expovariate(1 / 20))
        changed = closed if status == "done" else taken if agent else created
        items.append(
            {
                "kind": rng.choice(WORK_KINDS),
                "group_slug": rng.choice(groups),
                "status": status,
                "due_at": due,
                "created_at": created,
                "updated_at": changed,
                "owner_agent_id": agents[agent] if agent else None,
                "caller": "+8613800138000",
                "subject": "bench",
                "body": "",
                "match_status": "unknown",
                "channel": "letter",
                "source": "rest",
                "priority": 0,
            }
        )
        mine = [{"kind": "created", "actor": "bench", "to_status": "new", "at": created}]
        if agent:
            mine.append({"kind": "status", "actor": agent, "to_status": "accepted", "at": taken})
        if status == "done":
            mine.append({"kind": "status", "actor": agent, "to_status": "done", "at": closed})
        events.append(mine)
    return items, events


async def bench(items: int, days: int, runs: int, url: str) -> dict[str, Any]:
    await upgrade(url)
    rng = random.Random(7)
    async with open_database(url) as db:
        async with db.uow() as uow:
            groups = [g.slug for g in await uow.groups.list_all()]
            agents = {}
            for i in range(20):
                code = f"2{i:03d}"
                agents[code] = await uow.agents.add(
                    code=code,
                    name=f"Agent {code}",
                    interface=f"PJSIP/{code}",
                    skills=[Skill(g, 5) for g in groups],
                )
            await uow.commit()
        rows, events = _rows(items, days, groups, agents, rng)
        async with db.sessions() as session:
            for at in range(0, len(rows), BATCH):
                chunk = rows[at : at + BATCH]
                ids = (
                    await session.execute(insert(WorkItemRow).returning(WorkItemRow.id), chunk)
                ).scalars()
                logged = [
                    {**e, "work_item_id": item_id}
                    for item_id, mine in zip(ids, events[at : at + BATCH], strict=True)
                    for e in mine
                ]
                await session.execute(insert(WorkItemEventRow), logged)
            await session.commit()
        options = ReportOptions()
        last = datetime.now(UTC).date()
        first = last - timedelta(days=days - 1)
        out: dict[str, Any] = {"work_items": items, "days": days}
        for name, report in (("groups", work_groups_report), ("agents", work_agents_report)):
            times, size = [], 0
            for _ in range(runs):
                started = time.perf_counter()
                made = await report(
                    uow=db.uow, options=options, first=first, last=last, now=datetime.now(UTC)
                )
                times.append((time.perf_counter() - started) * 1000)
                size = len(made.rows)
            out[f"{name}_report_ms"] = round(statistics.median(times), 1)
            out[f"{name[:-1]}_rows"] = size
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=92)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'work-reports.db'}"
        figures = asyncio.run(bench(args.items, args.days, args.runs, url))
    print(f"# {date.today()} {sys.platform}", file=sys.stderr)
    print(" ".join(f"{k}={v}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
