"""Read-only views over several tables: the screen-pop bundle and the routing snapshot."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from callcenter.adapters.db.repo_contacts import contact_from_row, contacts_query
from callcenter.adapters.db.repo_customers import customer_from_row, phone_from_row, roles_from_db
from callcenter.adapters.db.repo_sales import complaint_from_row, orders_with_items
from callcenter.adapters.db.tables import (
    AgentRow,
    ComplaintRow,
    ContactRow,
    CustomerRow,
    PhoneRow,
)
from callcenter.domain.records import OPEN_COMPLAINT_STATUSES, CustomerBundle
from callcenter.domain.routing_inputs import CustomerSnapshot, OpenComplaint, Segment, ServedBy

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


async def routing_snapshot(session: AsyncSession, *, customer_id: int) -> CustomerSnapshot | None:
    """The router's view of a customer: profile flags, open complaints, recent agents."""
    profile = (
        await session.execute(
            select(
                CustomerRow.segment,
                CustomerRow.name,
                CustomerRow.roles,
                CustomerRow.credit_hold,
            ).where(CustomerRow.id == customer_id)
        )
    ).first()
    if profile is None:
        return None
    complaints = await session.execute(
        select(ComplaintRow.id, ComplaintRow.owner_group, AgentRow.code, ComplaintRow.created_at)
        .outerjoin(AgentRow, AgentRow.id == ComplaintRow.owner_agent_id)
        .where(
            ComplaintRow.customer_id == customer_id,
            ComplaintRow.status.in_(OPEN_COMPLAINT_STATUSES),
        )
        .order_by(ComplaintRow.created_at, ComplaintRow.id)
    )
    last_at = func.max(ContactRow.started_at).label("last_at")
    agents = await session.execute(
        select(AgentRow.code, last_at)
        .join(AgentRow, AgentRow.id == ContactRow.agent_id)
        .where(ContactRow.customer_id == customer_id)
        .group_by(AgentRow.code)
        .order_by(last_at.desc(), AgentRow.code)
        .limit(RECENT_AGENTS)
    )
    return CustomerSnapshot(
        customer_id=customer_id,
        segment=cast(Segment, profile.segment),
        name=profile.name,
        roles=frozenset(roles_from_db(profile.roles)),
        credit_hold=profile.credit_hold,
        open_complaints=tuple(
            OpenComplaint(id=i, owner_group=g, owner_agent_code=code, opened_at=_utc(at))
            for i, g, code, at in complaints.all()
        ),
        last_agents=tuple(ServedBy(agent_code=code, at=_utc(at)) for code, at in agents.all()),
    )
