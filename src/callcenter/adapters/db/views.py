"""Read-only views over several tables: the screen-pop bundle and the routing snapshot."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from callcenter.adapters.db.repo_contacts import contact_from_row, contacts_query
from callcenter.adapters.db.repo_customers import customer_from_row, phone_from_row
from callcenter.adapters.db.repo_sales import complaint_from_row, orders_with_items
from callcenter.adapters.db.tables import (
    ComplaintRow,
    CustomerRow,
    PhoneRow,
)
from callcenter.domain.records import OPEN_COMPLAINT_STATUSES, CustomerBundle

RECENT_AGENTS = 5


async def bundle_rows(
    session: AsyncSession, *, customer_id: int, limit: int = 10
) -> CustomerBundle | None:
    """Everything a screen-pop shows, in six queries whatever the row counts (None: no customer)."""
    row = await session.get(CustomerRow, customer_id)
    if row is None:
        return None
    phones = await session.scalars(
        select(PhoneRow)
        .where(PhoneRow.customer_id == customer_id)
        .order_by(PhoneRow.is_primary.desc(), PhoneRow.id)
    )
    orders = await orders_with_items(session, customer_id=customer_id, limit=limit)
    complaints = await session.scalars(
        select(ComplaintRow)
        .where(
            ComplaintRow.customer_id == customer_id,
            ComplaintRow.status.in_(OPEN_COMPLAINT_STATUSES),
        )
        .order_by(ComplaintRow.created_at, ComplaintRow.id)
    )
    contacts = (await session.execute(contacts_query(customer_id, limit))).all()
    return CustomerBundle(
        customer=customer_from_row(row),
        phones=tuple(phone_from_row(p) for p in phones),
        orders=tuple(orders),
        open_complaints=tuple(complaint_from_row(c) for c in complaints),
        contacts=tuple(contact_from_row(c, code) for c, code in contacts),
    )


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
