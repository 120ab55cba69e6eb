"""Calls, work items, the bundle and snapshot views, and bad input."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.engine import make_engine, make_session_factory
from callcenter.adapters.db.snapshots import SqlSnapshots
from callcenter.adapters.db.uow import SqlUnitOfWork
from callcenter.domain.agents.records import Skill
from callcenter.domain.calls.records import CallRecord
from callcenter.domain.customers.records import NewCustomer, PhoneInput
from callcenter.domain.orders import OrderItem
from callcenter.domain.work_items import CustomerMatch, NewWorkItem, Sender
from callcenter.services.errors import DuplicateKey

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    eng = make_engine(database_url)
    yield eng
    await eng.dispose()


@pytest.fixture
def uow(engine: AsyncEngine) -> SqlUnitOfWork:
    return SqlUnitOfWork(make_session_factory(engine))


def call(linkedid: str, pbx: str = "pbx1") -> CallRecord:
    return CallRecord(
        pbx=pbx,
        linkedid=linkedid,
        direction="inbound",
        caller="+8613800138000",
        caller_name="Li Wei",
        queues=("member-hotline", "online-service"),
        agent="Wang Fang",
        outcome="answered",
        wait_s=3.5,
        talk_s=4.0,
        ring_attempts=2,
        transferred=False,
        started_at=T0,
        answered_at=T0 + timedelta(seconds=3.5),
        ended_at=T0 + timedelta(seconds=7.5),
        routing={"queue": "member-hotline", "reason": "senior member"},
    )


async def test_calls_are_unique_per_pbx_and_linkedid(uow: SqlUnitOfWork) -> None:
    async with uow:
        assert await uow.calls.exists("pbx1", "1700000000.1") is False
        await uow.calls.add(call("1700000000.1"))
        await uow.calls.add(call("1700000000.1", pbx="pbx2"))  # other server, same Linkedid
        await uow.commit()
    async with uow:
        assert await uow.calls.exists("pbx1", "1700000000.1") is True
        stored = await uow.calls.get("pbx1", "1700000000.1")
        assert stored is not None
        assert stored.queues == ("member-hotline", "online-service")
        assert stored.routing == {"queue": "member-hotline", "reason": "senior member"}
        assert stored.answered_at == T0 + timedelta(seconds=3.5)
        with pytest.raises(IntegrityError):
            await uow.calls.add(call("1700000000.1"))
    async with uow:  # the failed duplicate left the first row alone
        stored = await uow.calls.get("pbx1", "1700000000.1")
        assert stored is not None and stored.caller_name == "Li Wei"


def _callback(
    phone: str | None = None, due: datetime | None = None, status: str = "new"
) -> NewWorkItem:
    return NewWorkItem(
        kind="callback",
        group_slug="letters",
        subject="call back",
        body="",
        sender=Sender(phone=phone),
        match=CustomerMatch("unknown"),
        channel="callback",
        source="router",
        status=status,
        due_at=due,
    )


async def test_work_items(uow: SqlUnitOfWork) -> None:
    async with uow:
        add = uow.work_items.add
        late = await add(item=_callback("+8613800138000", T0), actor="t", now=T0)
        soon = await add(item=_callback(due=T0 - timedelta(hours=1)), actor="t", now=T0)
        await add(item=_callback(status="done"), actor="t", now=T0)
        await uow.commit()
    async with uow:
        items = await uow.work_items.list_open()
        assert [i.id for i in items] == [soon, late]
        assert await uow.work_items.list_open(group_slug="finance") == []


async def test_bad_references_and_values_raise_and_lose_nothing(uow: SqlUnitOfWork) -> None:
    async with uow:
        cid = await uow.customers.add(
            customer=NewCustomer(member_number="M1", name="Wu Gang", member_since=date(2024, 1, 1))
        )
        await uow.commit()
    bad_inputs = [
        # foreign keys
        lambda: uow.phones.add(customer_id=cid + 100, phone=PhoneInput("1", None)),
        lambda: uow.contacts.add(
            customer_id=cid, channel="call", direction="inbound", started_at=T0, group_slug="x"
        ),
        lambda: uow.agents.add(
            code="1", name="A", interface="PJSIP/1", skills=[Skill("no-such-group", 5)]
        ),
        # CHECK constraints
        lambda: uow.agents.add(
            code="2", name="B", interface="PJSIP/2", skills=[Skill("finance", 11)]
        ),
        lambda: uow.contacts.add(
            customer_id=cid, channel="pigeon", direction="inbound", started_at=T0
        ),
        lambda: uow.tokens.add(token_hash="h", role="root"),
    ]
    for bad in bad_inputs:
        async with uow:
            with pytest.raises(IntegrityError):
                await bad()
    async with uow:  # a unique key taken is the service-level DuplicateKey (409 at the API)
        with pytest.raises(DuplicateKey, match="member number 'M1' is already taken"):
            await uow.customers.add(customer=NewCustomer(member_number="M1", name="Dup"))
    async with uow:
        with pytest.raises(StatementError, match="naive datetime"):
            await uow.contacts.add(
                customer_id=cid,
                channel="call",
                direction="inbound",
                started_at=datetime(2026, 1, 1),
            )
    async with uow:
        assert await uow.agents.list_all() == []
        assert await uow.contacts.recent_for_customer(customer_id=cid) == []
        assert await uow.tokens.list_all() == []
        assert await uow.customers.count() == 1


async def test_bundle_and_snapshot_take_a_fixed_number_of_queries(
    uow: SqlUnitOfWork, engine: AsyncEngine
) -> None:
    async def fill(number: str, orders: int, phone: str) -> int:
        async with uow:
            cid = await uow.customers.add(
                customer=NewCustomer(
                    member_number=number,
                    name="Chan Tai Man",
                    segment="vip",
                    roles=("member", "distributor"),
                    credit_rating="D",
                    credit_hold=True,
                    member_since=date(2019, 1, 1),
                    phones=(PhoneInput(f"+852 {phone[4:]}", phone, "mobile", True),),
                )
            )
            agents = {}
            for code in ("1001", "1009"):
                found = await uow.agents.get_by_code(code=code)
                agents[code] = (
                    found.id
                    if found
                    else await uow.agents.add(code=code, name=code, interface=f"PJSIP/{code}")
                )
            for n in range(orders):
                await uow.orders.add(
                    customer_id=cid,
                    order_number=f"{number}-{n}",
                    channel="bookstore",
                    status="paid",
                    placed_at=T0 + timedelta(days=n),
                    items=[OrderItem(f"Book {i}", None, 1, Decimal("5")) for i in range(3)],
                )
            await uow.complaints.add(
                customer_id=cid,
                category="billing",
                severity="medium",
                subject="Invoice",
                description="Wrong total",
                sla_due_at=T0,
                owner_group="finance",
                owner_agent_id=agents["1009"],
                now=T0,
            )
            for n, code in enumerate(["1009", "1001", "1009"]):
                await uow.contacts.add(
                    customer_id=cid,
                    channel="call",
                    direction="inbound",
                    agent_id=agents[code],
                    started_at=T0 + timedelta(hours=n),
                )
            await uow.commit()
            return cid

    phones = {"D1": "+85291234561", "D2": "+85291234562"}
    small, big = await fill("D1", 1, phones["D1"]), await fill("D2", 15, phones["D2"])
    snapshots = SqlSnapshots(engine)
    counts = []
    for cid, phone in ((small, phones["D1"]), (big, phones["D2"])):
        statements: list[str] = []

        def count(*args: object, sink: list[str] = statements) -> None:
            sink.append(str(args[2]))

        event.listen(engine.sync_engine, "before_cursor_execute", count)
        try:
            async with uow:
                bundle = await uow.customers.bundle(customer_id=cid)
            snap = await snapshots.snapshot_for(phone)
        finally:
            event.remove(engine.sync_engine, "before_cursor_execute", count)
        counts.append(len([s for s in statements if "SELECT" in s.upper()]))
        assert bundle is not None and snap is not None
        assert bundle.customer.credit_hold and bundle.phones[0].e164 == phone
        assert len(bundle.orders) == min(10, 1 if cid == small else 15)
        assert all(len(o.items) == 3 for o in bundle.orders)
        assert [c.owner_group for c in bundle.open_complaints] == ["finance"]
        assert [c.agent_code for c in bundle.contacts] == ["1009", "1001", "1009"]
        assert snap.segment == "vip" and snap.credit_hold
        assert snap.roles == frozenset({"member", "distributor"})
        assert [c.owner_agent_code for c in snap.open_complaints] == ["1009"]
        assert [(a.agent_code, a.at) for a in snap.last_agents] == [
            ("1009", T0 + timedelta(hours=2)),
            ("1001", T0 + timedelta(hours=1)),
        ]
    assert counts[0] == counts[1] <= 7  # six for the bundle, one for the routing snapshot
    async with uow:
        assert await uow.customers.bundle(customer_id=big + 100) is None
    assert await snapshots.snapshot_for("+85200000000") is None
