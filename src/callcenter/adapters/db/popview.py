"""The screen-pop's reads in Core SQL on one connection: caller lookup and customer bundle."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Row, Table, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from callcenter.adapters.db.customer_rows import customer_from_row, roles_from_db
from callcenter.adapters.db.tables import AgentRow
from callcenter.adapters.db.tables_customers import (
    ComplaintRow,
    ContactRow,
    CustomerRow,
    OrderItemRow,
    OrderRow,
    PhoneRow,
)
from callcenter.domain.complaints.records import OPEN_COMPLAINT_STATUSES, Complaint
from callcenter.domain.contacts import Contact
from callcenter.domain.customers.lookup import LookupResult
from callcenter.domain.customers.numbers import parse_caller_id
from callcenter.domain.customers.records import CustomerBundle, CustomerSummary, NumberOwner, Phone
from callcenter.domain.customers.screen_pop import Bundle
from callcenter.domain.orders import Order, OrderItem
from callcenter.services.customer_views import BUNDLE_LIMIT, bundle_from_record, lookup_from_owners

_customers = cast(Table, CustomerRow.__table__)
_phones = cast(Table, PhoneRow.__table__)
_orders = cast(Table, OrderRow.__table__)
_items = cast(Table, OrderItemRow.__table__)
_complaints = cast(Table, ComplaintRow.__table__)
_contacts = cast(Table, ContactRow.__table__)
_agents = cast(Table, AgentRow.__table__)

# Statements are built once; selecting table columns (not entities) keeps the column types
# (UtcDateTime, JSON, Boolean, Numeric) applied on every driver without ORM objects.
_last_contact = (
    select(func.max(_contacts.c.started_at))
    .where(_contacts.c.customer_id == _customers.c.id)
    .correlate(_customers)
    .scalar_subquery()
)
_OWNERS = (
    select(
        _customers.c.id,
        _customers.c.member_number,
        _customers.c.name,
        _customers.c.segment,
        _customers.c.roles,
        _customers.c.city,
        _phones.c.is_primary,
        _last_contact.label("last_contact_at"),
    )
    .join(_phones, _phones.c.customer_id == _customers.c.id)
    .where(_phones.c.e164 == bindparam("e164"))
    .order_by(_customers.c.id)
)
# The customer once per phone (once with NULL phone columns when they have none).
_PROFILE = (
    select(
        _customers,
        _phones.c.id.label("phone_id"),
        _phones.c.raw.label("phone_raw"),
        _phones.c.e164.label("phone_e164"),
        _phones.c.kind.label("phone_kind"),
        _phones.c.is_primary.label("phone_primary"),
    )
    .outerjoin(_phones, _phones.c.customer_id == _customers.c.id)
    .where(_customers.c.id == bindparam("cid"))
    .order_by(_phones.c.is_primary.desc(), _phones.c.id)
)
_last_orders = (
    select(_orders)
    .where(_orders.c.customer_id == bindparam("cid"))
    .order_by(_orders.c.placed_at.desc(), _orders.c.id.desc())
    .limit(bindparam("limit"))
    .subquery("last_orders")
)
# The newest orders with their items, one row per item (one with NULL items for an empty order).
_ORDERS = (
    select(
        _last_orders,
        _items.c.id.label("item_id"),
        _items.c.title,
        _items.c.isbn,
        _items.c.quantity,
        _items.c.unit_price,
    )
    .outerjoin(_items, _items.c.order_id == _last_orders.c.id)
    .order_by(_last_orders.c.placed_at.desc(), _last_orders.c.id.desc(), _items.c.id)
)
_COMPLAINTS = (
    select(_complaints)
    .where(
        _complaints.c.customer_id == bindparam("cid"),
        _complaints.c.status.in_(OPEN_COMPLAINT_STATUSES),
    )
    .order_by(_complaints.c.created_at, _complaints.c.id)
)
_CONTACTS = (
    select(_contacts, _agents.c.code.label("agent_code"))
    .outerjoin(_agents, _agents.c.id == _contacts.c.agent_id)
    .where(_contacts.c.customer_id == bindparam("cid"))
    .order_by(_contacts.c.started_at.desc(), _contacts.c.id.desc())
    .limit(bindparam("limit"))
)


async def number_owners(conn: AsyncConnection, *, e164: str) -> list[NumberOwner]:
    """Every customer holding this number with their last contact time: one query."""
    owners: dict[int, NumberOwner] = {}
    for row in (await conn.execute(_OWNERS, {"e164": e164})).all():
        seen = owners.get(row.id)
        # the same customer may hold the number twice (two raw spellings): keep one entry
        owners[row.id] = NumberOwner(
            customer=CustomerSummary(
                id=row.id,
                member_number=row.member_number,
                name=row.name,
                segment=row.segment,
                roles=roles_from_db(row.roles),
                city=row.city,
            ),
            is_primary=bool(row.is_primary) or (seen is not None and seen.is_primary),
            last_contact_at=_utc(row.last_contact_at),
        )
    return list(owners.values())


async def bundle_record(
    conn: AsyncConnection, *, customer_id: int, limit: int = BUNDLE_LIMIT
) -> CustomerBundle | None:
    """Everything a screen-pop shows in four queries, whatever the row counts (None: no such id)."""
    params = {"cid": customer_id, "limit": limit}
    profile = (await conn.execute(_PROFILE, params)).all()
    if not profile:
        return None
    orders = (await conn.execute(_ORDERS, params)).all()
    complaints = (await conn.execute(_COMPLAINTS, params)).all()
    contacts = (await conn.execute(_CONTACTS, params)).all()
    return CustomerBundle(
        customer=customer_from_row(profile[0]),
        phones=tuple(
            Phone(
                id=r.phone_id,
                customer_id=r.id,
                raw=r.phone_raw,
                e164=r.phone_e164,
                kind=r.phone_kind,
                is_primary=r.phone_primary,
            )
            for r in profile
            if r.phone_id is not None
        ),
        orders=_orders_from(orders),
        open_complaints=tuple(Complaint(**r._asdict()) for r in complaints),
        contacts=tuple(Contact(**r._asdict()) for r in contacts),
    )


class SqlPopSource:
    """The screen-pop's PopDirectory: Core queries on one pooled connection, no ORM session."""

    def __init__(self, engine: AsyncEngine, *, region: str = "CN") -> None:
        self._engine = engine
        self.region = region

    async def lookup(self, *, raw: str | None) -> LookupResult:
        """Who is calling from this raw caller ID: matched, ambiguous, unknown or withheld."""
        parsed = parse_caller_id(raw, self.region)
        if parsed.e164 is None:
            return lookup_from_owners(parsed, ())
        async with self._engine.connect() as conn:
            owners = await number_owners(conn, e164=parsed.e164)
        return lookup_from_owners(parsed, owners)

    async def bundle(self, *, customer_id: int, now: datetime) -> Bundle:
        """The screen-pop bundle of a customer; LookupError if there is no such customer."""
        async with self._engine.connect() as conn:
            record = await bundle_record(conn, customer_id=customer_id)
        if record is None:
            raise LookupError(f"no customer {customer_id}")
        return bundle_from_record(record, now=now)


def _orders_from(rows: Iterable[Row[Any]]) -> tuple[Order, ...]:
    """Fold the order-per-item rows back into orders, keeping the query's order."""
    heads: dict[int, Row[Any]] = {}
    items: dict[int, list[OrderItem]] = {}
    for r in rows:
        heads.setdefault(r.id, r)
        lines = items.setdefault(r.id, [])
        if r.item_id is not None:
            lines.append(
                OrderItem(
                    title=r.title,
                    isbn=r.isbn,
                    quantity=r.quantity,
                    unit_price=Decimal(r.unit_price),
                )
            )
    return tuple(
        Order(
            id=r.id,
            customer_id=r.customer_id,
            order_number=r.order_number,
            channel=r.channel,
            status=r.status,
            total=Decimal(r.total),
            currency=r.currency,
            placed_at=r.placed_at,
            items=tuple(items[oid]),
        )
        for oid, r in heads.items()
    )


def _utc(value: datetime | str | None) -> datetime | None:
    """The MAX() aggregate loses the column type on SQLite (text) and may come back naive."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
