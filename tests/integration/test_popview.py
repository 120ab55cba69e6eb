"""The screen-pop's Core reads give exactly what the ORM path gave, in a fixed few queries."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import TypeVar

import pytest
from sqlalchemy import ColumnElement, event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from callcenter.adapters.db.customer_rows import customer_from_row, phone_from_row
from callcenter.adapters.db.engine import make_engine, make_session_factory
from callcenter.adapters.db.popview import SqlPopSource
from callcenter.adapters.db.repo_contacts import contact_from_row
from callcenter.adapters.db.repo_sales import complaint_from_row
from callcenter.adapters.db.tables import AgentRow
from callcenter.adapters.db.tables_customers import (
    ComplaintRow,
    ContactRow,
    CustomerRow,
    OrderItemRow,
    OrderRow,
    PhoneRow,
)
from callcenter.adapters.db.uow import SqlUnitOfWork
from callcenter.domain.complaints.records import OPEN_COMPLAINT_STATUSES
from callcenter.domain.customers.lookup import LookupCandidateRow, LookupResult, rank_candidates
from callcenter.domain.customers.numbers import parse_caller_id
from callcenter.domain.customers.records import CustomerBundle
from callcenter.domain.customers.screen_pop import Bundle
from callcenter.domain.orders import Order, OrderItem
from callcenter.seeding.loader import seed_database
from callcenter.services.customer_views import bundle_from_record
from callcenter.services.customers import Directory
from callcenter.services.errors import NotFound

AS_OF = datetime(2026, 3, 1, tzinfo=UTC)
NOW = datetime(2026, 3, 1, 10, 15, tzinfo=UTC)
T = TypeVar("T")


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    await seed_database(database_url, customers=300, seed=3, as_of=AS_OF)
    eng = make_engine(database_url)
    yield eng
    await eng.dispose()


def _utc(value: datetime | str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# The reference: plain ORM reads of whole tables, filtered and sorted in Python, so it shares no
# query with the code under test; then the same record -> pop assembly the directory always did.
async def reference_lookup(session: AsyncSession, raw: str | None) -> LookupResult:
    parsed = parse_caller_id(raw, "CN")
    if parsed.e164 is None:
        return rank_candidates(parsed, ())
    phones = (await session.scalars(select(PhoneRow).where(PhoneRow.e164 == parsed.e164))).all()
    rows = []
    for phone in phones:
        customer = await session.get(CustomerRow, phone.customer_id)
        assert customer is not None
        started = (
            await session.scalars(
                select(ContactRow.started_at).where(ContactRow.customer_id == customer.id)
            )
        ).all()
        rows.append(
            LookupCandidateRow(
                customer_id=customer.id,
                name=customer.name,
                segment=customer.segment,
                is_primary=phone.is_primary,
                last_contact_at=max((_utc(s) for s in started), default=None),
            )
        )
    return rank_candidates(parsed, rows)


async def _all(session: AsyncSession, entity: type[T], where: ColumnElement[bool]) -> list[T]:
    return list((await session.scalars(select(entity).where(where))).all())


async def reference_bundle(session: AsyncSession, customer_id: int) -> Bundle:
    customer = await session.get(CustomerRow, customer_id)
    assert customer is not None
    phones = await _all(session, PhoneRow, PhoneRow.customer_id == customer_id)
    orders = sorted(
        await _all(session, OrderRow, OrderRow.customer_id == customer_id),
        key=lambda o: (o.placed_at, o.id),
        reverse=True,
    )[:10]
    items = sorted(
        await _all(session, OrderItemRow, OrderItemRow.order_id.in_([o.id for o in orders])),
        key=lambda i: i.id,
    )
    complaints = await _all(session, ComplaintRow, ComplaintRow.customer_id == customer_id)
    contacts = await _all(session, ContactRow, ContactRow.customer_id == customer_id)
    codes = {a.id: a.code for a in (await session.scalars(select(AgentRow))).all()}
    record = CustomerBundle(
        customer=customer_from_row(customer),
        phones=tuple(
            phone_from_row(p) for p in sorted(phones, key=lambda p: (not p.is_primary, p.id))
        ),
        orders=tuple(
            Order(
                id=o.id,
                customer_id=o.customer_id,
                order_number=o.order_number,
                channel=o.channel,
                status=o.status,
                total=Decimal(o.total),
                currency=o.currency,
                placed_at=o.placed_at,
                items=tuple(
                    OrderItem(i.title, i.isbn, i.quantity, Decimal(i.unit_price))
                    for i in items
                    if i.order_id == o.id
                ),
            )
            for o in orders
        ),
        open_complaints=tuple(
            complaint_from_row(c)
            for c in sorted(complaints, key=lambda c: (c.created_at, c.id))
            if c.status in OPEN_COMPLAINT_STATUSES
        ),
        contacts=tuple(
            contact_from_row(c, codes.get(c.agent_id) if c.agent_id is not None else None)
            for c in sorted(contacts, key=lambda c: (c.started_at, c.id), reverse=True)
        )[:10],
    )
    return bundle_from_record(record, now=NOW)


async def test_pop_source_matches_the_orm_reads_for_every_seeded_number(
    engine: AsyncEngine,
) -> None:
    sessions = make_session_factory(engine)
    source = SqlPopSource(engine, region="CN")
    directory = Directory(uow=lambda: SqlUnitOfWork(sessions), region="CN")
    async with sessions() as session:
        raws = sorted(set((await session.scalars(select(PhoneRow.raw))).all()))
    unknown = ["+86 139 0000 0001", "no such number", None, "", "anonymous"]
    statuses: dict[str, int] = {}
    matched = 0
    for raw in [*raws, *unknown]:
        async with sessions() as session:
            expected = await reference_lookup(session, raw)
        got = await source.lookup(raw=raw)
        assert got == expected, raw
        assert await directory.lookup(raw=raw) == expected, raw
        statuses[got.status] = statuses.get(got.status, 0) + 1
        if got.customer_id is None:
            continue
        matched += 1
        async with sessions() as session:
            want = await reference_bundle(session, got.customer_id)
        bundle = await source.bundle(customer_id=got.customer_id, now=NOW)
        assert bundle == want and bundle.to_json() == want.to_json(), raw
        assert await directory.bundle(customer_id=got.customer_id, now=NOW) == want, raw
    # the seed holds shared numbers (a switchboard), unknown and withheld callers are covered too
    assert statuses["ambiguous"] >= 2 and statuses["unknown"] >= 2 and statuses["withheld"] >= 2
    assert matched >= 290


async def test_bundle_and_lookup_take_a_fixed_number_of_statements(engine: AsyncEngine) -> None:
    source = SqlPopSource(engine, region="CN")
    async with make_session_factory(engine)() as session:
        per_customer = (
            await session.execute(
                select(OrderRow.customer_id, PhoneRow.raw)
                .join(PhoneRow, PhoneRow.customer_id == OrderRow.customer_id)
                .order_by(OrderRow.customer_id)
            )
        ).all()
    counts: dict[int, int] = {}
    numbers: dict[int, str] = {}
    for cid, raw in per_customer:
        counts[cid] = counts.get(cid, 0) + 1
        numbers[cid] = raw
    fewest, most = min(counts, key=counts.__getitem__), max(counts, key=counts.__getitem__)
    await source.lookup(raw=numbers[fewest])  # the first connect runs the dialect's own queries
    seen = []
    for cid in (fewest, most):
        statements: list[str] = []

        def count(*args: object, sink: list[str] = statements) -> None:
            sink.append(str(args[2]))

        event.listen(engine.sync_engine, "before_cursor_execute", count)
        try:
            looked = await source.lookup(raw=numbers[cid])
            after_lookup = len(statements)
            bundle = await source.bundle(customer_id=cid, now=NOW)
        finally:
            event.remove(engine.sync_engine, "before_cursor_execute", count)
        assert cid in [c.customer_id for c in looked.candidates]
        assert bundle.profile.id == cid and bundle.orders
        seen.append((after_lookup, len(statements) - after_lookup))
    assert seen[0] == seen[1] == (1, 4)


async def test_unknown_customer_is_a_lookup_error_for_the_pop_and_404_for_the_api(
    engine: AsyncEngine,
) -> None:
    source = SqlPopSource(engine, region="CN")
    directory = Directory(uow=lambda: SqlUnitOfWork(make_session_factory(engine)), region="CN")
    with pytest.raises(LookupError, match="no customer 999999"):
        await source.bundle(customer_id=999999, now=NOW)
    with pytest.raises(NotFound):
        await directory.bundle(customer_id=999999, now=NOW)
