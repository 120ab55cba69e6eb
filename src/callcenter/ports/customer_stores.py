"""Repositories of customers, their phones, orders, complaints and contacts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from callcenter.domain.complaints.records import Complaint, ComplaintEvent
from callcenter.domain.contacts import Contact
from callcenter.domain.customers.records import (
    Customer,
    CustomerBundle,
    CustomerSummary,
    NewCustomer,
    NumberOwner,
    Phone,
    PhoneInput,
)
from callcenter.domain.orders import Order, OrderItem


class Customers(Protocol):
    """Customer profiles; `add` raises DuplicateKey for a member number already taken."""

    async def add(self, *, customer: NewCustomer, now: datetime | None = None) -> int: ...
    async def get(self, *, customer_id: int) -> Customer | None: ...
    async def update(
        self, *, customer_id: int, fields: Mapping[str, Any], now: datetime | None = None
    ) -> Customer: ...
    async def search(
        self,
        *,
        name: str | None = None,
        member_number: str | None = None,
        e164: str | None = None,
        limit: int = 20,
    ) -> list[CustomerSummary]: ...
    async def bundle(self, *, customer_id: int, limit: int = 10) -> CustomerBundle | None: ...
    async def count(self) -> int: ...


class Phones(Protocol):
    """Customers' phone numbers."""

    async def add(self, *, customer_id: int, phone: PhoneInput) -> int: ...
    async def for_customer(self, *, customer_id: int) -> list[Phone]: ...
    async def customers_by_e164(self, *, e164: str) -> list[NumberOwner]: ...


class Orders(Protocol):
    """Book orders; `add` raises DuplicateKey for an order number already taken."""

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
    ) -> int: ...
    async def recent_for_customer(self, *, customer_id: int, limit: int = 10) -> list[Order]: ...


class Complaints(Protocol):
    """Complaints and their event history."""

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
    ) -> int: ...
    async def get(self, *, complaint_id: int) -> Complaint | None: ...
    async def open_for_customer(self, *, customer_id: int) -> list[Complaint]: ...
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
    ) -> str: ...
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
    ) -> int: ...
    async def events(self, *, complaint_id: int) -> list[ComplaintEvent]: ...


class Contacts(Protocol):
    """The contact history (calls, mails, chats) of customers."""

    async def add(
        self,
        *,
        channel: str,
        direction: str,
        started_at: datetime,
        customer_id: int | None = None,
        group_slug: str | None = None,
        agent_id: int | None = None,
        outcome: str | None = None,
        disposition_code: str | None = None,
        settled_first_contact: bool = False,
        note: str | None = None,
        call_linkedid: str | None = None,
        pbx: str | None = None,
        ended_at: datetime | None = None,
    ) -> int: ...
    async def recent_for_customer(self, *, customer_id: int, limit: int = 10) -> list[Contact]: ...
    async def last_call_at(self, *, customer_id: int, since: datetime) -> datetime | None: ...
