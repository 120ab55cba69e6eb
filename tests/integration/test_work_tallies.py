"""The wallboard's work tallies are summed up in the database (SQLite, PostgreSQL); the figures
they give are the figures of the items one by one: open and overdue, oldest age, done in time
and late, callbacks due and made, and nothing closed before today."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from callcenter.adapters.db.tables_work import WorkItemRow
from callcenter.bootstrap import open_database
from callcenter.domain.work_figures import WorkTally, work_figures
from callcenter.domain.work_items import OPEN_STATUSES, CustomerMatch, NewWorkItem, Sender

GROUPS = ("letters", "finance", "documents")
KINDS = ("letter", "callback", "email")
STATUSES = ("new", "offered", "accepted", "done", "done", "failed", "cancelled")


async def test_summed_tallies_give_the_figures_of_the_items_one_by_one(database_url: str) -> None:
    rng = random.Random(5)
    now = datetime.now(UTC).replace(microsecond=0)
    day_start = now - timedelta(hours=10)
    async with open_database(database_url) as db:
        async with db.uow() as uow:
            items = [
                NewWorkItem(
                    kind=rng.choice(KINDS),
                    group_slug=rng.choice(GROUPS),
                    subject="s",
                    body="",
                    sender=Sender(email="r@example.cn"),
                    match=CustomerMatch("unknown"),
                    channel="email",
                    source="rest",
                    due_at=rng.choice([None, now - timedelta(hours=3), now + timedelta(hours=3)]),
                )
                for _ in range(120)
            ]
            ids = await uow.work_items.add_many(items=[(i, "t") for i in items], now=now)
            for item_id in ids:  # each item some status, closed at some time (some yesterday)
                closed = now - timedelta(hours=rng.choice([1, 2, 4, 30]))
                created = closed - timedelta(hours=rng.choice([1, 5]))
                await uow.session.execute(
                    update(WorkItemRow)
                    .where(WorkItemRow.id == item_id)
                    .values(status=rng.choice(STATUSES), updated_at=closed, created_at=created)
                )
            await uow.commit()
        async with db.uow() as uow:
            summed = await uow.work_items.tallies(closed_since=day_start, now=now)
            rows = await uow.session.execute(
                select(
                    WorkItemRow.group_slug,
                    WorkItemRow.kind,
                    WorkItemRow.status,
                    WorkItemRow.created_at,
                    WorkItemRow.due_at,
                    WorkItemRow.updated_at,
                )
            )
            one_by_one = [
                WorkTally(g, k, s, c, d, None if s in OPEN_STATUSES else u)
                for g, k, s, c, d, u in rows
            ]
    assert len(summed) < len(one_by_one)  # bunches, not items
    assert sum(t.count for t in summed) < len(one_by_one)  # yesterday's closed ones left out
    expected = work_figures(one_by_one, now=now, day_start=day_start)
    got = work_figures(summed, now=now, day_start=day_start)
    assert got == expected
    assert any(g["items_overdue"] for g in got.values())
    assert any(g["sla_pct"] not in (None, 100.0) for g in got.values())  # some done late
