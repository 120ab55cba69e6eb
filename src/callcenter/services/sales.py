"""Orders, the complaint workflow and contacts; every function is one transaction."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from callcenter.domain.complaints import workflow
from callcenter.domain.complaints.records import Complaint, ComplaintEvent
from callcenter.domain.contacts import Contact
from callcenter.domain.orders import Order, OrderItem
from callcenter.ports.uow import UnitOfWork, UowFactory
from callcenter.services.errors import Conflict, DuplicateKey, InvalidField, NotFound

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ComplaintWithLog:
    """A complaint and its change log, oldest event first."""

    complaint: Complaint
    events: tuple[ComplaintEvent, ...]


@dataclass(frozen=True)
class NewComplaint:
    """What a caller reports; owner group and SLA follow from category and severity if not given."""

    customer_id: int
    category: str
    severity: str
    subject: str
    description: str = ""
    order_id: int | None = None
    book_title: str | None = None
    owner_group: str | None = None
    owner_agent_code: str | None = None


@dataclass(frozen=True)
class NewContact:
    """One interaction to record."""

    channel: str
    direction: str
    started_at: datetime
    customer_id: int | None = None
    group_slug: str | None = None
    agent_code: str | None = None
    outcome: str | None = None
    disposition_code: str | None = None
    settled_first_contact: bool = False
    note: str | None = None
    ended_at: datetime | None = None


async def _require_customer(uow: UnitOfWork, customer_id: int) -> None:
    if await uow.customers.get(customer_id=customer_id) is None:
        raise NotFound(f"no customer {customer_id}")


async def _agent_id(uow: UnitOfWork, code: str | None, field: str) -> int | None:
    if code is None:
        return None
    agent = await uow.agents.get_by_code(code=code)
    if agent is None:
        raise InvalidField((field,), f"no agent with code {code!r}")
    return agent.id


async def _check_group(uow: UnitOfWork, slug: str | None, field: str) -> None:
    if slug is not None and await uow.groups.get(slug=slug) is None:
        raise InvalidField((field,), f"no group {slug!r}")


async def add_order(
    *,
    uow: UowFactory,
    customer_id: int,
    channel: str,
    status: str,
    placed_at: datetime,
    items: Sequence[OrderItem],
    order_number: str | None = None,
    currency: str = "CNY",
) -> Order:
    """Store an order with its items for an existing customer; returns it as stored."""
    number = order_number or "W" + "".join(str(secrets.randbelow(10)) for _ in range(14))
    try:
        async with uow() as work:
            await _require_customer(work, customer_id)
            order_id = await work.orders.add(
                customer_id=customer_id,
                order_number=number,
                channel=channel,
                status=status,
                placed_at=placed_at,
                items=items,
                currency=currency,
            )
            await work.commit()
    except DuplicateKey as exc:
        raise Conflict(f"order number {number!r} is already taken") from exc
    return Order(
        id=order_id,
        customer_id=customer_id,
        order_number=number,
        channel=channel,
        status=status,
        total=sum((i.unit_price * i.quantity for i in items), Decimal("0")),
        currency=currency,
        placed_at=placed_at,
        items=tuple(items),
    )


async def list_orders(*, uow: UowFactory, customer_id: int, limit: int = 50) -> list[Order]:
    """The customer's orders, newest first, with items; NotFound for an unknown customer."""
    async with uow() as work:
        await _require_customer(work, customer_id)
        return await work.orders.recent_for_customer(customer_id=customer_id, limit=limit)


async def open_complaint(
    *, uow: UowFactory, complaint: NewComplaint, actor: str, now: datetime
) -> int:
    """Open a complaint (status open, level hotline, SLA from severity) and log its creation."""
    owner = complaint.owner_group or workflow.default_owner(complaint.category)
    async with uow() as work:
        await _require_customer(work, complaint.customer_id)
        await _check_group(work, owner, "owner_group")
        agent_id = await _agent_id(work, complaint.owner_agent_code, "owner_agent")
        if complaint.order_id is not None:
            orders = await work.orders.recent_for_customer(
                customer_id=complaint.customer_id, limit=10_000
            )
            if all(o.id != complaint.order_id for o in orders):
                raise InvalidField(
                    ("order_id",), f"order {complaint.order_id} is not this customer's"
                )
        complaint_id = await work.complaints.add(
            customer_id=complaint.customer_id,
            category=complaint.category,
            severity=complaint.severity,
            subject=complaint.subject,
            description=complaint.description,
            sla_due_at=workflow.sla_due(complaint.severity, now),
            owner_group=owner,
            order_id=complaint.order_id,
            owner_agent_id=agent_id,
            book_title=complaint.book_title,
            now=now,
        )
        await work.complaints.add_event(
            complaint_id=complaint_id, kind="created", actor=actor, to_status="open", at=now
        )
        await work.commit()
    return complaint_id


async def get_complaint(*, uow: UowFactory, complaint_id: int) -> ComplaintWithLog:
    """A complaint with its event log; NotFound when unknown."""
    async with uow() as work:
        found = await work.complaints.get(complaint_id=complaint_id)
        if found is None:
            raise NotFound(f"no complaint {complaint_id}")
        events = await work.complaints.events(complaint_id=complaint_id)
    return ComplaintWithLog(found, tuple(events))


async def transition_complaint(
    *,
    uow: UowFactory,
    complaint_id: int,
    to: str,
    actor: str,
    now: datetime,
    note: str | None = None,
) -> ComplaintWithLog:
    """Move a complaint along the workflow; WorkflowError (409) names the legal targets."""
    async with uow() as work:
        found = await work.complaints.get(complaint_id=complaint_id)
        if found is None:
            raise NotFound(f"no complaint {complaint_id}")
        workflow.check_transition(found.status, to)
        # back at the hotline after an expert's answer or a reopen
        level = "hotline" if to == "in_progress" and found.status != "open" else None
        await work.complaints.update_status(
            complaint_id=complaint_id, status=to, escalation_level=level, now=now
        )
        await work.complaints.add_event(
            complaint_id=complaint_id,
            kind="transition",
            actor=actor,
            from_status=found.status,
            to_status=to,
            note=note,
            at=now,
        )
        await work.commit()
    return await get_complaint(uow=uow, complaint_id=complaint_id)


async def escalate_complaint(
    *,
    uow: UowFactory,
    complaint_id: int,
    actor: str,
    now: datetime,
    note: str | None = None,
    owner_group: str | None = None,
) -> ComplaintWithLog:
    """Raise a complaint one escalation level (hotline -> editor -> author/expert)."""
    async with uow() as work:
        found = await work.complaints.get(complaint_id=complaint_id)
        if found is None:
            raise NotFound(f"no complaint {complaint_id}")
        step = workflow.escalate(found.status, found.escalation_level)
        await _check_group(work, owner_group, "owner_group")
        await work.complaints.update_status(
            complaint_id=complaint_id,
            status=step.to_status,
            escalation_level=step.to_level,
            owner_group=owner_group,
            now=now,
        )
        text = f"{step.from_level} -> {step.to_level}"
        await work.complaints.add_event(
            complaint_id=complaint_id,
            kind="escalated",
            actor=actor,
            from_status=step.from_status,
            to_status=step.to_status,
            note=f"{text}: {note}" if note else text,
            at=now,
        )
        await work.commit()
    return await get_complaint(uow=uow, complaint_id=complaint_id)


async def record_contact(*, uow: UowFactory, contact: NewContact) -> Contact:
    """Store one interaction; unknown customer is a 404, unknown agent or group a 422."""
    async with uow() as work:
        if contact.customer_id is not None:
            await _require_customer(work, contact.customer_id)
        agent_id = await _agent_id(work, contact.agent_code, "agent_code")
        await _check_group(work, contact.group_slug, "group")
        contact_id = await work.contacts.add(
            channel=contact.channel,
            direction=contact.direction,
            started_at=contact.started_at,
            customer_id=contact.customer_id,
            group_slug=contact.group_slug,
            agent_id=agent_id,
            outcome=contact.outcome,
            disposition_code=contact.disposition_code,
            settled_first_contact=contact.settled_first_contact,
            note=contact.note,
            ended_at=contact.ended_at,
        )
        await work.commit()
    return Contact(
        id=contact_id,
        customer_id=contact.customer_id,
        channel=contact.channel,
        direction=contact.direction,
        group_slug=contact.group_slug,
        agent_id=agent_id,
        agent_code=contact.agent_code,
        outcome=contact.outcome,
        disposition_code=contact.disposition_code,
        settled_first_contact=contact.settled_first_contact,
        note=contact.note,
        call_linkedid=None,
        pbx=None,
        started_at=contact.started_at,
        ended_at=contact.ended_at,
    )


async def list_contacts(*, uow: UowFactory, customer_id: int, limit: int = 50) -> list[Contact]:
    """The customer's contacts, newest first; NotFound for an unknown customer."""
    async with uow() as work:
        await _require_customer(work, customer_id)
        return await work.contacts.recent_for_customer(customer_id=customer_id, limit=limit)
