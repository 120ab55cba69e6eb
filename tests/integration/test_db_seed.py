"""Seeding a real database: deterministic rows, trace callers findable, clear refusals."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select
from sqlalchemy.engine import Connection

from callcenter.adapters.db.engine import make_engine, make_session_factory
from callcenter.adapters.db.migrate import upgrade
from callcenter.adapters.db.snapshots import SqlSnapshots
from callcenter.adapters.db.tables import Base
from callcenter.adapters.db.uow import SqlUnitOfWork
from callcenter.domain.customers.records import NewCustomer
from callcenter.seeding.generator import TABLES
from callcenter.seeding.loader import SeedError, seed_database

AS_OF = datetime(2026, 11, 1, tzinfo=UTC)


def schema_diff(conn: Connection) -> list[object]:
    ctx = MigrationContext.configure(conn, opts={"compare_type": True})
    return list(compare_metadata(ctx, Base.metadata))


async def dump(url: str) -> dict[str, list[tuple[object, ...]]]:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            out = {}
            for name in (*TABLES, "agents", "agent_skills"):
                table = Base.metadata.tables[name]
                rows = await conn.execute(select(table).order_by(*table.primary_key.columns))
                out[name] = [tuple(r) for r in rows]
            return out
    finally:
        await engine.dispose()


async def test_seed_is_deterministic_and_complete(database_url: str) -> None:
    result = await seed_database(database_url, customers=400, seed=9, as_of=AS_OF, workers=2)
    assert result.customers == 400 and result.rows["agents"] == 12
    first = await dump(database_url)
    assert len(first["customers"]) == 400
    assert result.rows["orders"] == len(first["orders"]) > 400
    # the loader's dropped-and-rebuilt indexes and foreign keys are all back
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            assert await conn.run_sync(schema_diff) == []
    finally:
        await engine.dispose()
    with pytest.raises(SeedError, match="already holds 400 customers"):
        await seed_database(database_url, customers=400, seed=9, as_of=AS_OF)
    assert await dump(database_url) == first  # the refused second run changed nothing

    engine = make_engine(database_url)
    try:
        async with SqlUnitOfWork(make_session_factory(engine)) as uow:
            owners = await uow.phones.customers_by_e164(e164="+4915112345678")
            assert [o.customer.name for o in owners] == ["Hans Müller"]
            shared = await uow.phones.customers_by_e164(e164="+861062751234")
            assert sorted(o.customer.name for o in shared) == ["Ma Jianguo", "北大书店"]
            snap = await SqlSnapshots(engine).snapshot_for("+85291234567")
            assert snap is not None and snap.credit_hold and snap.name == "Chan Tai Man"
            agent = await uow.agents.get_by_code(code="1005")
            assert agent is not None
            assert {(s.group_slug, s.penalty) for s in agent.skills} == {
                ("online-service", 0),
                ("finance", 2),
            }
            bundle = await uow.customers.bundle(customer_id=owners[0].customer.id)
            assert bundle is not None and bundle.customer.city == "Berlin"
            # ids handed out after a seed do not collide with the seeded ones
            cid = await uow.customers.add(
                customer=NewCustomer(member_number="NEW1", name="After Seed")
            )
            assert cid > 400
            await uow.orders.add(
                customer_id=cid,
                order_number="NEW-O1",
                channel="web",
                status="placed",
                placed_at=AS_OF,
                items=[],
            )
            await uow.commit()
    finally:
        await engine.dispose()


async def test_same_seed_gives_the_same_rows_in_another_database(
    database_url: str, tmp_path: Path
) -> None:
    other = f"sqlite+aiosqlite:///{tmp_path / 'other.db'}"
    await upgrade(other)
    await seed_database(database_url, customers=300, seed=4, as_of=AS_OF)
    await seed_database(other, customers=300, seed=4, as_of=AS_OF)
    here, there = await dump(database_url), await dump(other)
    assert here["customers"] == there["customers"]
    assert here["phone_numbers"] == there["phone_numbers"]
    assert here["contacts"] == there["contacts"]
    assert here["orders"] == there["orders"]
    assert here["complaints"] == there["complaints"]


async def test_too_few_customers_is_refused(database_url: str) -> None:
    with pytest.raises(SeedError, match="at least 16 customers"):
        await seed_database(database_url, customers=3, seed=1)
    assert (await dump(database_url))["customers"] == []
