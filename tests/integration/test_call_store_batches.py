"""The call store writes what has queued up in one transaction, on SQLite and PostgreSQL: a
burst of ended calls costs a few commits instead of one each, and every call is stored once."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import event, func, select

from callcenter.adapters.db.database import Database
from callcenter.adapters.db.tables_calls import CallRecordRow
from callcenter.adapters.db.tables_customers import ContactRow
from callcenter.domain.calls.records import CallRecord
from callcenter.services.call_store import CallStore, store_call
from support.livestack import seed_floor

START = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def _call(n: int, customer_id: int | None) -> CallRecord:
    at = START + timedelta(seconds=n)
    return CallRecord(
        pbx="pbx1",
        linkedid=f"1764838800.{n}",
        direction="inbound",
        caller="+8613800138000",
        caller_name="Li Wei",
        customer_id=customer_id,
        queues=("member-hotline",),
        agent="1001",
        outcome="answered",
        wait_s=3.0,
        talk_s=60.0,
        ring_attempts=1,
        transferred=False,
        started_at=at,
        answered_at=at + timedelta(seconds=3),
        ended_at=at + timedelta(seconds=63),
    )


async def _count(db: Database, row: type[CallRecordRow] | type[ContactRow]) -> int:
    async with db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(row)) or 0)


async def test_a_burst_of_ended_calls_is_stored_in_a_few_transactions_each_once(
    database_url: str,
) -> None:
    """Figure: 3 calls stored earlier; then 250 calls end at once (those 3 among them, and one
    call reported twice), every other one of a known customer -> all 250 in the calls table once,
    a contact row for each of the 125 known customers' calls, the 4 repeats counted as
    duplicates, and at most 3 commits for the burst (it was one per call)."""
    li_wei = (await seed_floor(database_url))["li_wei"]
    db = Database.open(database_url)
    calls = [_call(n, li_wei if n % 2 == 0 else None) for n in range(250)]
    for call in calls[:3]:
        assert await store_call(uow=db.uow, record=call)
    commits: list[int] = []
    event.listen(db.engine.sync_engine, "commit", lambda _conn: commits.append(1))
    store = CallStore(uow=db.uow)
    try:
        for call in [*calls, replace(calls[100])]:  # 251 reports, queued before the writer runs
            assert store.submit(call)
        store.start()
        assert await store.flushed(60)
        assert (store.stored, store.duplicates, store.lost) == (247, 4, 0)
        assert store.completed == store.submitted == 251
        assert len(commits) <= 3
        assert await _count(db, CallRecordRow) == 250
        assert await _count(db, ContactRow) == 125
        async with db.uow() as work:
            stored = await work.calls.get("pbx1", "1764838800.249")
        assert stored is not None and stored.agent == "1001" and stored.talk_s == 60.0
    finally:
        await store.aclose()
        await db.aclose()


async def test_calls_arriving_one_by_one_are_each_stored_at_once(database_url: str) -> None:
    """Figure: 5 calls end 50 ms apart -> each is in the database before the next ends (no call
    waits for a batch to fill)."""
    db = Database.open(database_url)
    store = CallStore(uow=db.uow)
    store.start()
    try:
        for n in range(5):
            assert store.submit(_call(n, None))
            assert await store.flushed(10)
            async with db.uow() as work:
                assert await work.calls.exists("pbx1", f"1764838800.{n}")
        assert store.stored == 5
    finally:
        await store.aclose()
        await db.aclose()
