"""Customer and phone-number repositories (they flush, never commit)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from callcenter.adapters.db.customer_rows import (
    customer_from_row,
    phone_from_row,
    roles_to_db,
    summary_from_row,
)
from callcenter.adapters.db.integrity import unique
from callcenter.adapters.db.popview import bundle_record, number_owners
from callcenter.adapters.db.tables_customers import CustomerRow, PhoneRow
from callcenter.domain.customers.records import (
    Customer,
    CustomerBundle,
    CustomerSummary,
    NewCustomer,
    NumberOwner,
    Phone,
    PhoneInput,
)

# Fields update() may change; identity (id, member_number) and timestamps are not among them.
UPDATABLE = frozenset(
    {
        "name",
        "segment",
        "roles",
        "member_since",
        "birthday",
        "email",
        "city",
        "preferred_genres",
        "language",
        "do_not_call",
        "credit_rating",
        "credit_hold",
    }
)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class CustomerRepository:
    """Customers: create, read, change, search; plus the screen-pop and routing views."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, *, customer: NewCustomer, now: datetime | None = None) -> int:
        """Store a new customer with its phones; returns the new id."""
        now = now or datetime.now(UTC)
        row = CustomerRow(
            member_number=customer.member_number,
            name=customer.name,
            segment=customer.segment,
            roles=roles_to_db(customer.roles),
            member_since=customer.member_since or now.date(),
            birthday=customer.birthday,
            email=customer.email,
            city=customer.city,
            preferred_genres=list(customer.preferred_genres),
            language=customer.language,
            do_not_call=customer.do_not_call,
            credit_rating=customer.credit_rating,
            credit_hold=customer.credit_hold,
            created_at=now,
            updated_at=now,
        )
        self._session.add(row)
        with unique(f"member number {customer.member_number!r}"):
            await self._session.flush()
            for phone in customer.phones:
                self._session.add(_phone_row(row.id, phone))
            await self._session.flush()
        return row.id

    async def get(self, *, customer_id: int) -> Customer | None:
        """The customer with this id, or None."""
        row = await self._session.get(CustomerRow, customer_id)
        return None if row is None else customer_from_row(row)

    async def update(
        self, *, customer_id: int, fields: Mapping[str, Any], now: datetime | None = None
    ) -> Customer:
        """Change the given fields; unknown fields are a ValueError, a missing customer KeyError."""
        unknown = set(fields) - UPDATABLE
        if unknown:
            raise ValueError(f"fields not updatable: {sorted(unknown)}")
        values = dict(fields)
        if "roles" in values:
            values["roles"] = roles_to_db(values["roles"])
        if "preferred_genres" in values:
            values["preferred_genres"] = list(values["preferred_genres"])
        values["updated_at"] = now or datetime.now(UTC)
        result = await self._session.execute(
            update(CustomerRow)
            .where(CustomerRow.id == customer_id)
            .values(**values)
            .returning(CustomerRow.id)
            .execution_options(synchronize_session=False)
        )
        if result.scalar_one_or_none() is None:
            raise KeyError(f"no customer {customer_id}")
        row = await self._session.get(CustomerRow, customer_id, populate_existing=True)
        assert row is not None
        return customer_from_row(row)

    async def search(
        self,
        *,
        name: str | None = None,
        member_number: str | None = None,
        e164: str | None = None,
        limit: int = 20,
    ) -> list[CustomerSummary]:
        """Customers matching every given criterion (name is a prefix match), by name."""
        if name is None and member_number is None and e164 is None:
            raise ValueError("search needs a name, a member number or a phone number")
        stmt = select(CustomerRow)
        if name is not None:
            stmt = stmt.where(CustomerRow.name.like(_escape_like(name) + "%", escape="\\"))
        if member_number is not None:
            stmt = stmt.where(CustomerRow.member_number == member_number)
        if e164 is not None:
            holders = select(PhoneRow.customer_id).where(PhoneRow.e164 == e164)
            stmt = stmt.where(CustomerRow.id.in_(holders))
        rows = await self._session.scalars(
            stmt.order_by(CustomerRow.name, CustomerRow.id).limit(limit)
        )
        return [summary_from_row(r) for r in rows]

    async def bundle(self, *, customer_id: int, limit: int = 10) -> CustomerBundle | None:
        """Profile, phones, last orders, open complaints, last contacts: a fixed few queries."""
        return await bundle_record(
            await self._session.connection(), customer_id=customer_id, limit=limit
        )

    async def count(self) -> int:
        """How many customers are stored."""
        return int(await self._session.scalar(select(func.count()).select_from(CustomerRow)) or 0)


def _phone_row(customer_id: int, phone: PhoneInput) -> PhoneRow:
    return PhoneRow(
        customer_id=customer_id,
        raw=phone.raw,
        e164=phone.e164,
        kind=phone.kind,
        is_primary=phone.is_primary,
    )


class PhoneRepository:
    """Phone numbers and the caller lookup by E.164."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, *, customer_id: int, phone: PhoneInput) -> int:
        """Add a number to an existing customer; returns its id."""
        row = _phone_row(customer_id, phone)
        self._session.add(row)
        await self._session.flush()
        return row.id

    async def for_customer(self, *, customer_id: int) -> list[Phone]:
        """The customer's numbers, primary first."""
        rows = await self._session.scalars(
            select(PhoneRow)
            .where(PhoneRow.customer_id == customer_id)
            .order_by(PhoneRow.is_primary.desc(), PhoneRow.id)
        )
        return [phone_from_row(r) for r in rows]

    async def customers_by_e164(self, *, e164: str) -> list[NumberOwner]:
        """Every customer holding this number with their last contact time: one query."""
        return await number_owners(await self._session.connection(), e164=e164)
