"""Answered calls close the queue callbacks they make pointless, on SQLite and PostgreSQL, a burst
of them checked together: a busy floor's answered calls cost a transaction per check, not one
each, and each waiting callback is closed by the call that reached its customer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import event, update

from callcenter.adapters.db.tables_work import WorkItemRow
from callcenter.bootstrap import open_database
from callcenter.domain.calls.facts import CallEnded
from callcenter.domain.calls.records import CallRecord
from callcenter.domain.work_items import (
    CustomerMatch,
    MatchCandidate,
    NewWorkItem,
    Sender,
    WorkItem,
)
from callcenter.services.queue_callbacks import NO_LONGER_NEEDED, QueueCallbacks
from support.livestack import seed_floor

FILED = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
CALLER_A, CALLER_C = "+8613900000001", "+8613900000003"


def _owed(caller: str | None, customer_id: int | None, ref: str) -> NewWorkItem:
    return NewWorkItem(
        kind="callback",
        group_slug="member-hotline",
        subject="Call back",
        body="",
        sender=Sender(phone=caller),
        match=(
            CustomerMatch("unknown")
            if customer_id is None
            else CustomerMatch(
                "matched", (MatchCandidate(customer_id, "Li Wei", "senior", "phone"),)
            )
        ),
        channel="callback",
        source="queue",
        call_ref=ref,
    )


def _answered(n: int, caller: str, customer_id: int | None, start: datetime) -> CallRecord:
    return CallRecord(
        pbx="pbx1",
        linkedid=f"1764838900.{n}",
        direction="inbound",
        caller=caller,
        caller_name=None,
        customer_id=customer_id,
        queues=("member-hotline",),
        agent="1001",
        outcome="answered",
        wait_s=2.0,
        talk_s=30.0,
        ring_attempts=1,
        transferred=False,
        started_at=start,
        answered_at=start,
        ended_at=start + timedelta(seconds=32),
    )


async def test_answered_calls_close_the_callbacks_they_make_pointless_checked_together(
    database_url: str,
) -> None:
    """Figure: callbacks waiting for caller A and for customer Li Wei (filed 09:00) and for
    caller C (filed 09:30); 40 calls answered at 09:10, A's and Li Wei's (from another number)
    among them, and one of C's -> A's and Li Wei's items cancelled `no_longer_needed`, each
    naming the call that reached it; C's stays new (C's call began before it was filed); the 40
    calls were checked in at most 3 transactions."""
    li_wei = (await seed_floor(database_url))["li_wei"]
    async with open_database(database_url) as db:
        async with db.uow() as uow:
            a, b, c = await uow.work_items.add_many(
                items=[
                    (_owed(CALLER_A, None, "pbx1:1.1"), "queue"),
                    (_owed(None, li_wei, "pbx1:1.2"), "queue"),
                    (_owed(CALLER_C, None, "pbx1:1.3"), "queue"),
                ],
                now=FILED,
            )
            await uow.session.execute(  # C's was filed half an hour later
                update(WorkItemRow)
                .where(WorkItemRow.id == c)
                .values(created_at=FILED + timedelta(minutes=30))
            )
            await uow.commit()
        cancelled: list[int] = []
        commits: list[int] = []
        event.listen(db.engine.sync_engine, "commit", lambda _conn: commits.append(1))

        async def never_file(*_: object) -> WorkItem:
            raise AssertionError("answered calls owe no callback")

        checks = QueueCallbacks(uow=db.uow, file=never_file, groups=("member-hotline",))

        async def forget(item_id: int) -> None:
            cancelled.append(item_id)

        checks.on_cancelled = forget
        at = FILED + timedelta(minutes=10)
        calls = [_answered(n, f"+86137{n:08d}", None, at) for n in range(37)]
        calls += [
            _answered(37, CALLER_A, None, at),
            _answered(38, "+8613800138999", li_wei, at),  # Li Wei from another phone
            _answered(39, CALLER_C, None, at),
        ]
        for call in calls:
            checks.on_recorded(CallEnded("pbx1", 0.0, call.linkedid, call, None, None), call)
        await checks.aclose()
        assert sorted(cancelled) == sorted([a, b])
        assert len(commits) <= 3
        async with db.uow() as uow:
            items = {i: await uow.work_items.get(item_id=i) for i in (a, b, c)}
            notes = {i: (await uow.work_items.events(item_id=i))[-1].note for i in (a, b)}
        assert {i: (x.status, x.outcome) for i, x in items.items() if x} == {
            a: ("cancelled", NO_LONGER_NEEDED),
            b: ("cancelled", NO_LONGER_NEEDED),
            c: ("new", None),
        }
        assert "pbx1:1764838900.37" in (notes[a] or "")
        assert "pbx1:1764838900.38" in (notes[b] or "")
