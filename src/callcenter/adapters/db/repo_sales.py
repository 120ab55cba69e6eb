"""Order and complaint repositories (they flush, never commit)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from callcenter.adapters.db.integrity import unique
from callcenter.adapters.db.row_mapping import record_from_row
from callcenter.adapters.db.tables_customers import (
    ComplaintEventRow,
    ComplaintRow,
    OrderItemRow,
    OrderRow,
)
from callcenter.domain.complaints.records import OPEN_COMPLAINT_STATUSES, Complaint, ComplaintEvent
from callcenter.domain.orders import Order, OrderItem


def complaint_from_row(row: ComplaintRow) -> Complaint:
    """A Complaint record from its ORM row."""
    return record_from_row(Complaint, row)


async def orders_with_items(session: AsyncSession, *, customer_id: int, limit: int) -> list[Order]:
    """The customer's newest orders with their items: two queries whatever the counts."""
    rows = list(
        await session.scalars(
            select(OrderRow)
            .where(OrderRow.customer_id == customer_id)
            .order_by(OrderRow.placed_at.desc(), OrderRow.id.desc())
            .limit(limit)
        )
    )
    items: dict[int, list[OrderItem]] = {r.id: [] for r in rows}
    if rows:
        for item in await session.scalars(
            select(OrderItemRow)
            .where(OrderItemRow.order_id.in_(list(items)))
            .order_by(OrderItemRow.id)
        ):
            items[item.order_id].append(
                OrderItem(
                    title=item.title,
                    isbn=item.isbn,
                    quantity=item.quantity,
                    unit_price=Decimal(item.unit_price),
                )
            )
    return [
        Order(
            id=r.id,
            customer_id=r.customer_id,
            order_number=r.order_number,
            channel=r.channel,
            status=r.status,
            total=Decimal(r.total),
            currency=r.currency,
            placed_at=r.placed_at,
            items=tuple(items[r.id]),
        )
        for r in rows
    ]


class OrderRepository:
    """Orders and their items."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        *,
        customer_id: int,
        order_number: str,
        channel: str,
        status: str,
        placed_at: datetime,
        items: Sequence[OrderItem],
        currency: str = "CNY",
        total: Decimal | None = None,
    ) -> int:
        """Store an order with its items; total defaults to the sum of the items."""
        if total is None:
            total = sum((i.unit_price * i.quantity for i in items), Decimal("0"))
        row = OrderRow(
            customer_id=customer_id,
            order_number=order_number,
            channel=channel,
            status=status,
            total=total,
            currency=currency,
            placed_at=placed_at,
        )
        self._session.add(row)
        with unique(f"order number {order_number!r}"):
            await self._session.flush()
        self._session.add_all(
            OrderItemRow(
                order_id=row.id,
                title=i.title,
                isbn=i.isbn,
                quantity=i.quantity,
                unit_price=i.unit_price,
            )
            for i in items
        )
        await self._session.flush()
        return row.id

    async def recent_for_customer(self, *, customer_id: int, limit: int = 10) -> list[Order]:
        """The newest orders first, each with its items."""
        return await orders_with_items(self._session, customer_id=customer_id, limit=limit)


class ComplaintRepository:
    """Complaint tickets and their change log."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        *,
        customer_id: int,
        category: str,
        severity: str,
        subject: str,
        description: str,
        sla_due_at: datetime,
        owner_group: str,
        status: str = "open",
        escalation_level: str = "hotline",
        order_id: int | None = None,
        owner_agent_id: int | None = None,
        book_title: str | None = None,
        now: datetime | None = None,
    ) -> int:
        """Store a new complaint; returns its id (the 'created' event is the caller's to add)."""
        now = now or datetime.now(UTC)
        row = ComplaintRow(
            customer_id=customer_id,
            order_id=order_id,
            category=category,
            severity=severity,
            status=status,
            subject=subject,
            description=description,
            sla_due_at=sla_due_at,
            owner_group=owner_group,
            owner_agent_id=owner_agent_id,
            escalation_level=escalation_level,
            book_title=book_title,
            created_at=now,
            updated_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        return row.id

    async def get(self, *, complaint_id: int) -> Complaint | None:
        """The complaint with this id, or None."""
        row = await self._session.get(ComplaintRow, complaint_id, populate_existing=True)
        return None if row is None else complaint_from_row(row)

    async def open_for_customer(self, *, customer_id: int) -> list[Complaint]:
        """The customer's complaints not yet resolved or closed, oldest first."""
        rows = await self._session.scalars(
            select(ComplaintRow)
            .where(
                ComplaintRow.customer_id == customer_id,
                ComplaintRow.status.in_(OPEN_COMPLAINT_STATUSES),
            )
            .order_by(ComplaintRow.created_at, ComplaintRow.id)
        )
        return [complaint_from_row(r) for r in rows]

    async def update_status(
        self,
        *,
        complaint_id: int,
        status: str,
        escalation_level: str | None = None,
        owner_group: str | None = None,
        owner_agent_id: int | None = None,
        sla_due_at: datetime | None = None,
        now: datetime | None = None,
    ) -> str:
        """Set the status (and optionally owner/level/SLA); returns the previous status."""
        current = await self._session.scalar(
            select(ComplaintRow.status).where(ComplaintRow.id == complaint_id)
        )
        if current is None:
            raise KeyError(f"no complaint {complaint_id}")
        values: dict[str, object] = {"status": status, "updated_at": now or datetime.now(UTC)}
        if escalation_level is not None:
            values["escalation_level"] = escalation_level
        if owner_group is not None:
            values["owner_group"] = owner_group
        if owner_agent_id is not None:
            values["owner_agent_id"] = owner_agent_id
        if sla_due_at is not None:
            values["sla_due_at"] = sla_due_at
        await self._session.execute(
            update(ComplaintRow)
            .where(ComplaintRow.id == complaint_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return current

    async def add_event(
        self,
        *,
        complaint_id: int,
        kind: str,
        actor: str,
        from_status: str | None = None,
        to_status: str | None = None,
        note: str | None = None,
        at: datetime | None = None,
    ) -> int:
        """Log one change of a complaint; returns the event id."""
        row = ComplaintEventRow(
            complaint_id=complaint_id,
            at=at or datetime.now(UTC),
            kind=kind,
            from_status=from_status,
            to_status=to_status,
            actor=actor,
            note=note,
        )
        self._session.add(row)
        await self._session.flush()
        return row.id

    async def events(self, *, complaint_id: int) -> list[ComplaintEvent]:
        """The complaint's change log, oldest first."""
        rows = await self._session.scalars(
            select(ComplaintEventRow)
            .where(ComplaintEventRow.complaint_id == complaint_id)
            .order_by(ComplaintEventRow.at, ComplaintEventRow.id)
        )
        return [
            ComplaintEvent(
                id=r.id,
                complaint_id=r.complaint_id,
                at=r.at,
                kind=r.kind,
                from_status=r.from_status,
                to_status=r.to_status,
                actor=r.actor,
                note=r.note,
            )
            for r in rows
        ]
