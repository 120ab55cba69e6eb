"""Screen-pop bundle: what an agent sees about a caller before saying hello, from plain records."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any, Literal, Self

SlaState = Literal["ok", "due_soon", "overdue"]

OPEN_STATUSES: frozenset[str] = frozenset({"open", "in_progress", "escalated"})
ALERT_ORDER: tuple[str, ...] = (
    "overdue_complaint",
    "credit_hold",
    "repeat_caller",
    "vip",
    "senior",
    "birthday",
)


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


@dataclass(frozen=True)
class OpenComplaint:
    """An open complaint with its age and where it stands against its SLA."""

    complaint: ComplaintView
    age: timedelta
    sla_state: SlaState

    @property
    def age_text(self) -> str:
        """Age as an agent reads it: minutes, hours under two days, then days."""
        seconds = max(0, int(self.age.total_seconds()))
        if seconds < 3600:
            return f"{seconds // 60} min"
        if seconds < 48 * 3600:
            return f"{seconds // 3600} h"
        return f"{seconds // 86400} d"


@dataclass(frozen=True)
class Alert:
    """Something the agent should notice first."""

    code: str
    message: str


@dataclass(frozen=True)
class Bundle:
    """Everything the screen-pop shows about one customer."""

    profile: CustomerProfile
    orders: tuple[OrderView, ...]
    complaints: tuple[OpenComplaint, ...]
    contacts: tuple[ContactView, ...]
    alerts: tuple[Alert, ...]
    generated_at: datetime

    @property
    def alert_codes(self) -> tuple[str, ...]:
        """Just the alert codes, in display order."""
        return tuple(a.code for a in self.alerts)

    def to_json(self) -> dict[str, object]:
        """JSON-ready form: ISO timestamps, decimals as strings."""
        return {
            "customer": _plain(self.profile),
            "orders": [_plain(o) for o in self.orders],
            "complaints": [
                {
                    **_plain(c.complaint),
                    "age_hours": round(c.age.total_seconds() / 3600, 1),
                    "age_text": c.age_text,
                    "sla_state": c.sla_state,
                }
                for c in self.complaints
            ],
            "contacts": [_plain(c) for c in self.contacts],
            "alerts": [{"code": a.code, "message": a.message} for a in self.alerts],
            "generated_at": _json_value(self.generated_at),
        }


def build_bundle(
    *,
    profile: CustomerProfile,
    orders: Iterable[OrderView],
    complaints: Iterable[ComplaintView],
    contacts: Iterable[ContactView],
    now: datetime,
    local_tz: tzinfo | None = None,
    due_soon: timedelta = timedelta(hours=4),
    repeat_window: timedelta = timedelta(days=7),
    max_orders: int = 10,
    max_contacts: int = 10,
    credit_hold_ratings: frozenset[str] = frozenset({"D"}),
    current_linkedid: str | None = None,
) -> Bundle:
    """Assemble the pop; `local_tz` decides which day "today" is for birthdays (default: now's).

    `current_linkedid` keeps the call being popped (once stored) from counting as a repeat call.
    """
    now = _as_utc(now)
    recent_orders = sorted(orders, key=lambda o: _as_utc(o.placed_at), reverse=True)
    all_contacts = sorted(contacts, key=lambda c: _as_utc(c.started_at), reverse=True)
    open_complaints = sorted(
        (_open(c, now, due_soon) for c in complaints if c.status in OPEN_STATUSES),
        key=_urgency,
    )
    today = (now.astimezone(local_tz) if local_tz is not None else now).date()
    earlier = [
        c for c in all_contacts if not current_linkedid or c.call_linkedid != current_linkedid
    ]
    alerts = _alerts(
        profile=profile,
        complaints=open_complaints,
        contacts=earlier,
        now=now,
        today=today,
        repeat_window=repeat_window,
        credit_hold_ratings=credit_hold_ratings,
    )
    return Bundle(
        profile=profile,
        orders=tuple(recent_orders[:max_orders]),
        complaints=tuple(open_complaints),
        contacts=tuple(all_contacts[:max_contacts]),
        alerts=alerts,
        generated_at=now,
    )


def sla_state(due: datetime | None, now: datetime, due_soon: timedelta) -> SlaState:
    """Where a complaint stands against its due time; no due time means no SLA to break."""
    if due is None:
        return "ok"
    left = _as_utc(due) - _as_utc(now)
    if left <= timedelta(0):
        return "overdue"
    return "due_soon" if left <= due_soon else "ok"


def is_birthday(birthday: date | None, today: date) -> bool:
    """True on the birthday; Feb 29 birthdays are celebrated on Feb 28 in non-leap years."""
    if birthday is None:
        return False
    if (birthday.month, birthday.day) == (today.month, today.day):
        return True
    leap_birthday = (birthday.month, birthday.day) == (2, 29)
    return leap_birthday and not _is_leap(today.year) and (today.month, today.day) == (2, 28)


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _open(complaint: ComplaintView, now: datetime, due_soon: timedelta) -> OpenComplaint:
    age = now - _as_utc(complaint.created_at)
    return OpenComplaint(complaint, age, sla_state(complaint.sla_due_at, now, due_soon))


_SLA_RANK: dict[str, int] = {"overdue": 0, "due_soon": 1, "ok": 2}


def _urgency(item: OpenComplaint) -> tuple[int, bool, datetime, int]:
    due = item.complaint.sla_due_at
    far = datetime.max.replace(tzinfo=UTC)
    return (_SLA_RANK[item.sla_state], due is None, _as_utc(due) if due else far, item.complaint.id)


def _alerts(
    *,
    profile: CustomerProfile,
    complaints: Sequence[OpenComplaint],
    contacts: list[ContactView],
    now: datetime,
    today: date,
    repeat_window: timedelta,
    credit_hold_ratings: frozenset[str],
) -> tuple[Alert, ...]:
    found: dict[str, str] = {}
    overdue = [c for c in complaints if c.sla_state == "overdue"]
    if overdue:
        found["overdue_complaint"] = (
            f"{len(overdue)} overdue complaint(s): {overdue[0].complaint.subject}"
        )
    rating = (profile.credit_rating or "").upper()
    distributor = "distributor" in profile.roles
    if profile.credit_hold or (distributor and rating in credit_hold_ratings):
        found["credit_hold"] = f"distributor on credit hold (rating {rating or 'none'})"
    since = now - repeat_window
    calls = [c for c in contacts if c.channel == "call" and since <= _as_utc(c.started_at) <= now]
    if calls:
        found["repeat_caller"] = f"{len(calls)} call(s) in the last {repeat_window.days} days"
    segment = profile.segment.lower()
    if segment == "vip":
        found["vip"] = "VIP member"
    if segment == "senior":
        found["senior"] = "senior member (资深会员)"
    if is_birthday(profile.birthday, today):
        found["birthday"] = "birthday today"
    return tuple(Alert(code, found[code]) for code in ALERT_ORDER if code in found)


def _as_utc(moment: datetime) -> datetime:
    """Naive timestamps (SQLite hands them back that way) are taken as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _plain(view: object) -> dict[str, object]:
    """A view dataclass as JSON-ready data."""
    return {
        f.name: _json_value(getattr(view, f.name))
        for f in dataclasses.fields(view)  # type: ignore[arg-type]
    }


def _json_value(value: object) -> object:
    if isinstance(value, datetime):
        return _as_utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple | list):
        return [_json_value(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _plain(value)
    return value
