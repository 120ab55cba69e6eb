"""Every repository operation, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.engine import make_engine, make_session_factory
from callcenter.adapters.db.uow import SqlUnitOfWork
from callcenter.domain.customers.records import NewCustomer, PhoneInput
from callcenter.domain.orders import OrderItem

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    eng = make_engine(database_url)
    yield eng
    await eng.dispose()


@pytest.fixture
def uow(engine: AsyncEngine) -> SqlUnitOfWork:
    return SqlUnitOfWork(make_session_factory(engine))


def customer(number: str, name: str, *phones: PhoneInput, **kw: object) -> NewCustomer:
    return NewCustomer(
        member_number=number,
        name=name,
        member_since=date(2020, 5, 1),
        phones=phones,
        **kw,  # type: ignore[arg-type]
    )


async def test_customer_add_get_update_search(uow: SqlUnitOfWork) -> None:
    async with uow:
        cid = await uow.customers.add(
            customer=customer(
                "M0000001",
                "李伟",
                PhoneInput("+86 138 0013 8000", "+8613800138000", "mobile", True),
                PhoneInput("010-62751234", "+861062751234", "landline"),
                segment="senior",
                roles=("member", "author"),
                preferred_genres=("history", "poetry"),
                birthday=date(1970, 2, 28),
            ),
            now=T0,
        )
        await uow.commit()
    async with uow:
        got = await uow.customers.get(customer_id=cid)
        assert got is not None
        assert (got.name, got.segment, got.roles) == ("李伟", "senior", ("author", "member"))
        assert got.preferred_genres == ("history", "poetry")
        assert got.created_at == T0 and got.created_at.tzinfo is not None
        changed = await uow.customers.update(
            customer_id=cid,
            fields={"city": "北京", "do_not_call": True, "roles": ["member"]},
            now=T0 + timedelta(days=1),
        )
        assert (changed.city, changed.do_not_call, changed.roles) == ("北京", True, ("member",))
        assert changed.updated_at == T0 + timedelta(days=1)
        await uow.commit()
    async with uow:
        assert [c.id for c in await uow.customers.search(name="李")] == [cid]
        assert await uow.customers.search(name="王") == []
        assert [c.id for c in await uow.customers.search(member_number="M0000001")] == [cid]
        assert [c.id for c in await uow.customers.search(e164="+861062751234")] == [cid]
        assert await uow.customers.search(name="李", e164="+8613999999999") == []
        assert await uow.customers.get(customer_id=cid + 999) is None
        phones = await uow.phones.for_customer(customer_id=cid)
        assert [p.raw for p in phones] == ["+86 138 0013 8000", "010-62751234"]


async def test_bad_updates_are_refused_and_change_nothing(uow: SqlUnitOfWork) -> None:
    async with uow:
        cid = await uow.customers.add(customer=customer("M1", "Zhao Min"))
        await uow.commit()
    async with uow:
        with pytest.raises(ValueError, match="not updatable"):
            await uow.customers.update(customer_id=cid, fields={"member_number": "X"})
        with pytest.raises(ValueError, match="unknown customer roles"):
            await uow.customers.update(customer_id=cid, fields={"roles": ["wizard"]})
        with pytest.raises(KeyError):
            await uow.customers.update(customer_id=cid + 1, fields={"city": "x"})
        with pytest.raises(ValueError, match="search needs"):
            await uow.customers.search()
        # search text is literal, not a LIKE pattern
        assert await uow.customers.search(name="%") == []
    async with uow:
        got = await uow.customers.get(customer_id=cid)
        assert got is not None and got.member_number == "M1"


async def test_shared_number_returns_every_holder_in_one_query(
    uow: SqlUnitOfWork, engine: AsyncEngine
) -> None:
    shared = "+861062751234"
    async with uow:
        a = await uow.customers.add(
            customer=customer("M1", "Wang Jun", PhoneInput("010 6275 1234", shared, "work", True))
        )
        b = await uow.customers.add(
            customer=customer("M2", "Wang Li", PhoneInput("(010) 62751234", shared, "landline"))
        )
        await uow.customers.add(
            customer=customer("M3", "Other", PhoneInput("13800138000", "+8613800138000"))
        )
        await uow.contacts.add(customer_id=b, channel="call", direction="inbound", started_at=T0)
        await uow.contacts.add(
            customer_id=b, channel="email", direction="inbound", started_at=T0 + timedelta(hours=1)
        )
        await uow.commit()
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        async with uow:
            owners = await uow.phones.customers_by_e164(e164=shared)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
    assert [(o.customer.id, o.is_primary) for o in owners] == [(a, True), (b, False)]
    assert owners[0].last_contact_at is None
    assert owners[1].last_contact_at == T0 + timedelta(hours=1)
    async with uow:
        assert await uow.phones.customers_by_e164(e164="+8613900000000") == []


async def test_orders_with_items_newest_first(uow: SqlUnitOfWork) -> None:
    async with uow:
        cid = await uow.customers.add(customer=customer("M1", "Sun Li"))
        for n in range(12):
            await uow.orders.add(
                customer_id=cid,
                order_number=f"O{n:04d}",
                channel="web",
                status="delivered",
                placed_at=T0 + timedelta(days=n),
                items=[
                    OrderItem("红楼梦", "978-7-02-000220-7", 1, Decimal("59.80")),
                    OrderItem("Faust", None, 2, Decimal("10.05")),
                ],
            )
        await uow.commit()
    async with uow:
        orders = await uow.orders.recent_for_customer(customer_id=cid)
    assert [o.order_number for o in orders] == [f"O{n:04d}" for n in range(11, 1, -1)]
    assert orders[0].total == Decimal("79.90")
    assert orders[0].items[0] == OrderItem("红楼梦", "978-7-02-000220-7", 1, Decimal("59.80"))
    assert orders[0].placed_at == T0 + timedelta(days=11)


async def test_complaint_lifecycle_and_log(uow: SqlUnitOfWork) -> None:
    async with uow:
        cid = await uow.customers.add(customer=customer("M1", "Hans Müller", language="de"))
        agent = await uow.agents.add(code="1001", name="Wang Fang", interface="PJSIP/1001")
        kid = await uow.complaints.add(
            customer_id=cid,
            category="editorial",
            severity="high",
            subject="Misprint on p. 12",
            description="Two pages swapped",
            sla_due_at=T0 + timedelta(days=2),
            owner_group="member-hotline",
            owner_agent_id=agent,
            book_title="Faust",
            now=T0,
        )
        await uow.complaints.add_event(
            complaint_id=kid, kind="created", actor="1001", to_status="open", at=T0
        )
        await uow.commit()
    async with uow:
        before = await uow.complaints.update_status(
            complaint_id=kid,
            status="escalated",
            escalation_level="editor",
            owner_group="documents",
            now=T0 + timedelta(hours=1),
        )
        assert before == "open"
        await uow.complaints.add_event(
            complaint_id=kid,
            kind="escalated",
            actor="1001",
            from_status="open",
            to_status="escalated",
            note="to the editor",
            at=T0 + timedelta(hours=1),
        )
        await uow.commit()
    async with uow:
        got = await uow.complaints.get(complaint_id=kid)
        assert got is not None
        assert (got.status, got.escalation_level, got.owner_group) == (
            "escalated",
            "editor",
            "documents",
        )
        assert [c.id for c in await uow.complaints.open_for_customer(customer_id=cid)] == [kid]
        log = await uow.complaints.events(complaint_id=kid)
        assert [(e.kind, e.from_status, e.to_status) for e in log] == [
            ("created", None, "open"),
            ("escalated", "open", "escalated"),
        ]
        await uow.complaints.update_status(complaint_id=kid, status="closed")
        assert await uow.complaints.open_for_customer(customer_id=cid) == []
        with pytest.raises(KeyError):
            await uow.complaints.update_status(complaint_id=kid + 1, status="closed")


async def test_contacts_and_last_call(uow: SqlUnitOfWork) -> None:
    async with uow:
        cid = await uow.customers.add(customer=customer("M1", "Li Na"))
        agent = await uow.agents.add(code="1002", name="Zhang Wei", interface="PJSIP/1002")
        for n in range(12):
            await uow.contacts.add(
                customer_id=cid,
                channel="call" if n % 2 == 0 else "letter",
                direction="inbound",
                group_slug="member-hotline",
                agent_id=agent,
                started_at=T0 + timedelta(days=n),
                settled_first_contact=True,
            )
        await uow.commit()
    async with uow:
        recent = await uow.contacts.recent_for_customer(customer_id=cid)
        assert len(recent) == 10
        assert recent[0].started_at == T0 + timedelta(days=11)
        assert recent[0].agent_code == "1002"
        last = await uow.contacts.last_call_at(customer_id=cid, since=T0)
        assert last == T0 + timedelta(days=10)
        later = T0 + timedelta(days=30)
        assert await uow.contacts.last_call_at(customer_id=cid, since=later) is None
