"""Customer and phone-number repositories (they flush, never commit)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from callcenter.adapters.db.integrity import unique
from callcenter.adapters.db.tables import CustomerRow, PhoneRow
from callcenter.domain.customers.records import (
    CUSTOMER_ROLES,
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


def roles_to_db(roles: tuple[str, ...] | list[str]) -> str:
    """Roles as the stored sorted comma list; unknown roles are a ValueError."""
    unknown = set(roles) - set(CUSTOMER_ROLES)
    if unknown:
        raise ValueError(f"unknown customer roles {sorted(unknown)}")
    return ",".join(sorted(set(roles)))


def roles_from_db(value: str) -> tuple[str, ...]:
    """The stored comma list back as a tuple."""
    return tuple(r for r in value.split(",") if r)


def customer_from_row(row: Any) -> Customer:
    """A Customer record from its ORM row, or from a Core row of the customers columns."""
    return Customer(
        id=row.id,
        member_number=row.member_number,
        name=row.name,
        segment=row.segment,
        roles=roles_from_db(row.roles),
        member_since=row.member_since,
        birthday=row.birthday,
        email=row.email,
        city=row.city,
        preferred_genres=tuple(row.preferred_genres or ()),
        language=row.language,
        do_not_call=row.do_not_call,
        credit_rating=row.credit_rating,
        credit_hold=row.credit_hold,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def summary_from_row(row: CustomerRow) -> CustomerSummary:
    """A CustomerSummary from its ORM row."""
    return CustomerSummary(
        id=row.id,
        member_number=row.member_number,
        name=row.name,
        segment=row.segment,
        roles=roles_from_db(row.roles),
        city=row.city,
    )


def phone_from_row(row: PhoneRow) -> Phone:
    """A Phone record from its ORM row."""
    return Phone(
        id=row.id,
        customer_id=row.customer_id,
        raw=row.raw,
        e164=row.e164,
        kind=row.kind,
        is_primary=row.is_primary,
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
        from callcenter.adapters.db.popview import bundle_record

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
        from callcenter.adapters.db.popview import number_owners

        return await number_owners(await self._session.connection(), e164=e164)
