"""Recordings of calls that end together are indexed in a few transactions, on SQLite and
PostgreSQL: each file once, a replayed call's files skipped, a failed batch logged and counted."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from callcenter.adapters.db.database import Database
from callcenter.adapters.db.repo_audit import SqlAuditLog
from callcenter.adapters.db.repo_recordings import SqlRecordingIndex
from callcenter.domain.calls.facts import CallEnded
from callcenter.domain.calls.records import CallRecord
from callcenter.ports.recordings import StoredRecording
from callcenter.services.recordings import RecordingService
from support.livestack import seed_floor

START = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def _ended(n: int) -> CallEnded:
    at = START + timedelta(seconds=n)
    record = CallRecord(
        pbx="pbx1",
        linkedid=f"1764838800.{n}",
        direction="inbound",
        caller="+8613800138000",
        caller_name=None,
        customer_id=None,
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
        recordings=(f"call-{n}.wav",),
    )
    return CallEnded("pbx1", 0.0, record.linkedid, record, None, None)


def _file(n: int) -> StoredRecording:
    return StoredRecording(
        "pbx1", f"1764838800.{n}", f"call-{n}.wav", None, None, None, None, START
    )


async def test_a_burst_of_recorded_calls_is_indexed_in_a_few_transactions(
    database_url: str,
) -> None:
    """Figure: 2 recordings indexed earlier; 150 recorded calls end at once (those 2 among them)
    -> each of the 150 files in the index once, under its call's group, 148 new rows, at most 10
    commits for the burst, one per batch (it was one per call: 150)."""
    await seed_floor(database_url)
    db = Database.open(database_url)
    index = SqlRecordingIndex(db.engine)
    assert await index.add_many([_file(0), _file(1)]) == 2
    commits: list[int] = []
    event.listen(db.engine.sync_engine, "commit", lambda _conn: commits.append(1))
    service = RecordingService(uow=db.uow, store=None, index=index, audit=SqlAuditLog(db.engine))
    try:
        for n in range(150):
            service.on_fact(_ended(n))
        await service.aclose()
        assert service.index_writes.written == 148
        assert service.index_writes.failed == 0
        assert len(commits) == service.index_writes.batches <= 10
        for n in (0, 1, 2, 77, 149):
            (found,) = await index.for_call("pbx1", f"1764838800.{n}")
            assert found.file == f"call-{n}.wav"
            assert found.group_slug == (None if n < 2 else "member-hotline")  # first kept
    finally:
        await db.aclose()


async def test_a_replayed_batch_adds_nothing_twice(database_url: str) -> None:
    """Figure: 5 files, then the same 5 with 2 new ones -> 5, then 2 new; 7 rows in all."""
    db = Database.open(database_url)
    index = SqlRecordingIndex(db.engine)
    try:
        assert await index.add_many([_file(n) for n in range(5)]) == 5
        assert await index.add_many([_file(n) for n in range(7)]) == 2
        assert await index.add_many([]) == 0
        for n in range(7):
            assert len(await index.for_call("pbx1", f"1764838800.{n}")) == 1
    finally:
        await db.aclose()


async def test_a_batch_the_database_refuses_is_logged_and_counted(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Figure: a batch with a file name longer than the column allows on PostgreSQL, or a NULL
    where none is allowed on both -> nothing of that batch indexed, `failed` 3, an ERROR naming
    its calls; the next batch is written."""
    db = Database.open(database_url)
    index = SqlRecordingIndex(db.engine)
    service = RecordingService(uow=db.uow, store=None, index=index, audit=SqlAuditLog(db.engine))
    broken = replace(_file(9), file=None)  # type: ignore[arg-type]
    try:
        with caplog.at_level(logging.ERROR):
            service.index_writes.put([_file(7), _file(8), broken])
            await service.index_writes.flushed()
            service.index_writes.put([_file(10)])
            await service.index_writes.flushed()
        assert service.index_writes.failed == 3
        assert service.index_writes.written == 1
        assert await index.for_call("pbx1", "1764838800.7") == []
        assert len(await index.for_call("pbx1", "1764838800.10")) == 1
        assert "3 recordings of 3 calls not indexed" in caplog.text
        assert "1764838800.7" in caplog.text
    finally:
        await db.aclose()
