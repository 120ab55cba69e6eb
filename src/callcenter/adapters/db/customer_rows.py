"""Customer and phone rows to domain records and back (the ORM and Core SQL paths share them)."""

from __future__ import annotations

from typing import Any

from callcenter.adapters.db.row_mapping import record_from_row
from callcenter.adapters.db.tables_customers import CustomerRow, PhoneRow
from callcenter.domain.customers.records import CUSTOMER_ROLES, Customer, CustomerSummary, Phone


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
    return record_from_row(
        Customer,
        row,
        roles=roles_from_db(row.roles),
        preferred_genres=tuple(row.preferred_genres or ()),
    )


def summary_from_row(row: CustomerRow) -> CustomerSummary:
    """A CustomerSummary from its ORM row."""
    return record_from_row(CustomerSummary, row, roles=roles_from_db(row.roles))


def phone_from_row(row: PhoneRow) -> Phone:
    """A Phone record from its ORM row."""
    return record_from_row(Phone, row)
