"""The screen-pop's views of a customer's records: the fields an agent sees, JSON-ready."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Self


class _FromRecord:
    """Build a view from any object with the same attribute names (e.g. a repository record)."""

    @classmethod
    def from_record(cls, record: object, **overrides: Any) -> Self:
        """Copy the fields this view has from `record`; `overrides` win."""
        names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
        values = {n: getattr(record, n) for n in names if hasattr(record, n)}
        values.update(overrides)
        return cls(**values)


@dataclass(frozen=True)
class CustomerProfile(_FromRecord):
    """The customer's record as the pop shows it."""

    id: int
    member_number: str
    name: str
    segment: str
    roles: tuple[str, ...] = ()
    member_since: date | None = None
    birthday: date | None = None
    email: str | None = None
    city: str | None = None
    preferred_genres: tuple[str, ...] = ()
    language: str | None = None
    do_not_call: bool = False
    credit_rating: str | None = None
    credit_hold: bool = False


@dataclass(frozen=True)
class OrderItemView(_FromRecord):
    """One line of an order."""

    title: str
    quantity: int
    unit_price: Decimal
    isbn: str | None = None


@dataclass(frozen=True)
class OrderView(_FromRecord):
    """An order with its items."""

    id: int
    order_number: str
    channel: str
    status: str
    total: Decimal
    placed_at: datetime
    currency: str = "CNY"
    items: tuple[OrderItemView, ...] = ()


@dataclass(frozen=True)
class ComplaintView(_FromRecord):
    """A complaint ticket; only open ones (open, in progress, escalated) reach the pop."""

    id: int
    category: str
    severity: str
    status: str
    subject: str
    created_at: datetime
    sla_due_at: datetime | None
    owner_group: str | None = None
    escalation_level: str = "hotline"
    order_id: int | None = None
    book_title: str | None = None


@dataclass(frozen=True)
class ContactView(_FromRecord):
    """One past interaction with the customer."""

    id: int
    channel: str
    direction: str
    started_at: datetime
    group_slug: str | None = None
    agent_code: str | None = None
    outcome: str | None = None
    disposition_code: str | None = None
    settled_first_contact: bool = False
    note: str | None = None
    call_linkedid: str | None = None
    pbx: str | None = None  # with call_linkedid: where the call (and its recording) is


def as_utc(moment: datetime) -> datetime:
    """Naive timestamps (SQLite hands them back that way) are taken as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def plain(view: object) -> dict[str, object]:
    """A view dataclass as JSON-ready data."""
    return {
        f.name: json_value(getattr(view, f.name))
        for f in dataclasses.fields(view)  # type: ignore[arg-type]
    }


def json_value(value: object) -> object:
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple | list):
        return [json_value(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return plain(value)
    return value
