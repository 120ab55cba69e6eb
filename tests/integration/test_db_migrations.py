"""Migrations: up to head, down to base, up again, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from callcenter.adapters.db.engine import make_engine, make_session_factory
from callcenter.adapters.db.migrate import current_revision, downgrade, upgrade
from callcenter.adapters.db.tables import Base
from callcenter.adapters.db.uow import SqlUnitOfWork

TABLES = {
    "groups",
    "customers",
    "phone_numbers",
    "orders",
    "order_items",
    "complaints",
    "complaint_events",
    "contacts",
    "agents",
    "agent_skills",
    "agent_work_logins",
    "api_tokens",
    "call_records",
    "work_items",
    "work_item_events",
    "work_item_attachments",
    "call_dispositions",
    "webhook_subscriptions",
    "webhook_deliveries",
    "audit_log",
    "call_recordings",
    "live_calls",
    "quality_scorecards",
    "quality_evaluations",
    "work_offers",
    "campaigns",
    "campaign_records",
    "campaign_attempts",
    "dnc_numbers",
}


async def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            names = await conn.run_sync(lambda c: inspect(c).get_table_names())
    finally:
        await engine.dispose()
    return set(names) - {"alembic_version"}


async def test_upgrade_downgrade_upgrade(empty_database_url: str) -> None:
    assert await current_revision(empty_database_url) is None
    await upgrade(empty_database_url)
    assert await _tables(empty_database_url) == TABLES
    assert await current_revision(empty_database_url) == "0016"
    await downgrade(empty_database_url, "base")
    assert await _tables(empty_database_url) == set()
    assert await current_revision(empty_database_url) is None
    await upgrade(empty_database_url)
    assert await _tables(empty_database_url) == TABLES


async def test_upgrade_twice_is_harmless(database_url: str) -> None:
    await upgrade(database_url)
    assert await current_revision(database_url) == "0016"


async def test_migrated_schema_matches_the_orm_tables(database_url: str) -> None:
    def diff(conn: Connection) -> list[object]:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(ctx, Base.metadata))

    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            assert await conn.run_sync(diff) == []
    finally:
        await engine.dispose()


async def test_the_seven_groups_exist_after_migration(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        async with SqlUnitOfWork(make_session_factory(engine)) as uow:
            groups = await uow.groups.list_all()
    finally:
        await engine.dispose()
    assert [(g.slug, g.entry_point, g.name_zh) for g in groups] == [
        ("member-hotline", "8001", "书友热线组"),
        ("online-service", "8002", "在线服务组"),
        ("telemarketing", "8003", "电话营销组"),
        ("letters", "8004", "信件回复组"),
        ("documents", "8005", "单据处理组"),
        ("finance", "8006", "金融服务组"),
        ("data-maintenance", "8007", "数据维护组"),
    ]
    by_slug = {g.slug: g for g in groups}
    assert all(g.queue == g.slug for g in groups)
    assert all((g.sl_target_seconds, g.sl_target_percent) == (20, 80) for g in groups)
    assert set(by_slug) == {g.slug for g in groups}


async def _group_overflow(url: str) -> dict[str, tuple[str | None, int | None]] | None:
    """Each group's stored overflow, or None when the table has no overflow columns."""
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            cols = await conn.run_sync(lambda c: inspect(c).get_columns("groups"))
            if "overflow_group" not in {c["name"] for c in cols}:
                return None
            rows = await conn.execute(
                text("SELECT slug, overflow_group, overflow_after_s FROM groups")
            )
            return {slug: (target, after) for slug, target, after in rows}
    finally:
        await engine.dispose()


async def test_0004_leaves_overflow_to_the_rule_book_and_goes_back(
    empty_database_url: str,
) -> None:
    await upgrade(empty_database_url)
    assert await _group_overflow(empty_database_url) is None
    await downgrade(empty_database_url, "0003")
    old = await _group_overflow(empty_database_url)
    assert old is not None and old["member-hotline"] == ("online-service", 25)
    assert old["telemarketing"] == (None, None)
    # following the old overflow targets always ends (no cycle)
    for start in old:
        seen: set[str] = set()
        slug: str | None = start
        while slug is not None:
            assert slug not in seen
            seen.add(slug)
            slug = old[slug][0]
    await upgrade(empty_database_url)
    assert await _group_overflow(empty_database_url) is None


async def _call_columns(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            cols = await conn.run_sync(lambda c: inspect(c).get_columns("call_records"))
    finally:
        await engine.dispose()
    return {c["name"] for c in cols}


async def test_0003_adds_legs_monitoring_and_new_outcomes_and_goes_back(
    empty_database_url: str,
) -> None:
    from datetime import UTC, datetime

    from callcenter.domain.calls.records import CallLeg, CallRecord

    added = {"legs", "monitored", "recordings", "amd", "caller_verified"}
    await upgrade(empty_database_url)
    assert added <= await _call_columns(empty_database_url)
    at = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
    record = CallRecord(
        pbx="pbx1",
        linkedid="1.0",
        direction="inbound",
        caller="+8613566667777",
        caller_name="Ma Jun",
        queues=("member-hotline", "finance"),
        agent="Wu Xia",
        outcome="callback_requested",
        wait_s=5.0,
        talk_s=10.0,
        ring_attempts=2,
        transferred=True,
        started_at=at,
        ended_at=at,
        legs=(CallLeg("Wang Fang", "member-hotline", 3.0), CallLeg("Wu Xia", None, 7.0)),
        monitored=3,
        recordings=("1796307750.2.wav",),
        amd="HUMAN",
        caller_verified=False,
    )
    engine = make_engine(empty_database_url)
    try:
        async with SqlUnitOfWork(make_session_factory(engine)) as uow:
            await uow.calls.add(record)
            await uow.commit()
        async with SqlUnitOfWork(make_session_factory(engine)) as uow:
            stored = await uow.calls.get("pbx1", "1.0")
    finally:
        await engine.dispose()
    assert stored is not None
    assert (stored.legs, stored.monitored, stored.recordings) == (record.legs, 3, record.recordings)
    assert (stored.amd, stored.caller_verified, stored.outcome) == (
        "HUMAN",
        False,
        "callback_requested",
    )
    await downgrade(empty_database_url, "0002")
    assert await current_revision(empty_database_url) == "0002"
    assert not added & await _call_columns(empty_database_url)
    await upgrade(empty_database_url)
    assert added <= await _call_columns(empty_database_url)
