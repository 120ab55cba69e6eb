"""Screen-pop bundle: what an agent sees about a caller before saying hello, from plain records."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Literal

from callcenter.domain.complaints.records import OPEN_COMPLAINT_STATUSES
from callcenter.domain.customers.pop_views import (
    ComplaintView,
    ContactView,
    CustomerProfile,
    OrderView,
    as_utc,
    json_value,
    plain,
)

SlaState = Literal["ok", "due_soon", "overdue"]

ALERT_ORDER: tuple[str, ...] = (
    "overdue_complaint",
    "credit_hold",
    "repeat_caller",
    "vip",
    "senior",
    "birthday",
)


@dataclass(frozen=True)
class AgedComplaint:
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
    complaints: tuple[AgedComplaint, ...]
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
            "customer": plain(self.profile),
            "orders": [plain(o) for o in self.orders],
            "complaints": [
                {
                    **plain(c.complaint),
                    "age_hours": round(c.age.total_seconds() / 3600, 1),
                    "age_text": c.age_text,
                    "sla_state": c.sla_state,
                }
                for c in self.complaints
            ],
            "contacts": [plain(c) for c in self.contacts],
            "alerts": [{"code": a.code, "message": a.message} for a in self.alerts],
            "generated_at": json_value(self.generated_at),
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
    now = as_utc(now)
    recent_orders = sorted(orders, key=lambda o: as_utc(o.placed_at), reverse=True)
    all_contacts = sorted(contacts, key=lambda c: as_utc(c.started_at), reverse=True)
    open_complaints = sorted(
        (_open(c, now, due_soon) for c in complaints if c.status in OPEN_COMPLAINT_STATUSES),
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
    left = as_utc(due) - as_utc(now)
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


def _open(complaint: ComplaintView, now: datetime, due_soon: timedelta) -> AgedComplaint:
    age = now - as_utc(complaint.created_at)
    return AgedComplaint(complaint, age, sla_state(complaint.sla_due_at, now, due_soon))


_SLA_RANK: dict[str, int] = {"overdue": 0, "due_soon": 1, "ok": 2}


def _urgency(item: AgedComplaint) -> tuple[int, bool, datetime, int]:
    due = item.complaint.sla_due_at
    far = datetime.max.replace(tzinfo=UTC)
    return (_SLA_RANK[item.sla_state], due is None, as_utc(due) if due else far, item.complaint.id)


def _alerts(
    *,
    profile: CustomerProfile,
    complaints: Sequence[AgedComplaint],
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
    calls = [c for c in contacts if c.channel == "call" and since <= as_utc(c.started_at) <= now]
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
