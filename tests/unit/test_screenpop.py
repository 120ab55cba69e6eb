"""Screen-pop bundle: recent history, open complaints against their SLA, and the alerts."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from callcenter.domain.customers.pop_views import (
    ComplaintView,
    ContactView,
    CustomerProfile,
    OrderItemView,
    OrderView,
)
from callcenter.domain.customers.records import Customer
from callcenter.domain.customers.screen_pop import build_bundle, is_birthday, sla_state
from callcenter.domain.orders import Order, OrderItem

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
CN = timezone(timedelta(hours=8))


def profile(**changes: object) -> CustomerProfile:
    base = CustomerProfile(id=1, member_number="M0001", name="Li Wei", segment="regular")
    return CustomerProfile.from_record(base, **changes)


def order(n: int, *, days_ago: float = 1.0) -> OrderView:
    item = OrderItemView(title=f"Book {n}", quantity=2, unit_price=Decimal("19.90"))
    return OrderView(
        id=n,
        order_number=f"O{n:04d}",
        channel="web",
        status="shipped",
        total=Decimal("39.80"),
        placed_at=NOW - timedelta(days=days_ago),
        items=(item,),
    )


def complaint(n: int, *, due_in: timedelta | None, status: str = "open", age=timedelta(hours=5)):
    return ComplaintView(
        id=n,
        category="delivery",
        severity="medium",
        status=status,
        subject=f"parcel {n} missing",
        created_at=NOW - age,
        sla_due_at=None if due_in is None else NOW + due_in,
    )


def contact(n: int, *, days_ago: float, channel: str = "call") -> ContactView:
    return ContactView(
        id=n, channel=channel, direction="inbound", started_at=NOW - timedelta(days=days_ago)
    )


def bundle(**kwargs: object):
    args: dict[str, object] = {
        "profile": profile(),
        "orders": [],
        "complaints": [],
        "contacts": [],
        "now": NOW,
    }
    args.update(kwargs)
    return build_bundle(**args)  # type: ignore[arg-type]


def test_last_ten_orders_newest_first_with_items() -> None:
    orders = [order(n, days_ago=n) for n in range(1, 13)]
    result = bundle(orders=list(reversed(orders)))
    assert [o.id for o in result.orders] == list(range(1, 11))
    assert result.orders[0].items[0].title == "Book 1"


def test_last_ten_contacts_newest_first() -> None:
    contacts = [contact(n, days_ago=n * 10, channel="email") for n in range(1, 13)]
    result = bundle(contacts=contacts[::-1])
    assert [c.id for c in result.contacts] == list(range(1, 11))


@pytest.mark.parametrize(
    ("due_in", "state"),
    [
        (timedelta(hours=5), "ok"),
        (timedelta(hours=4, seconds=1), "ok"),
        (timedelta(hours=4), "due_soon"),
        (timedelta(minutes=1), "due_soon"),
        (timedelta(0), "overdue"),
        (timedelta(hours=-30), "overdue"),
        (None, "ok"),
    ],
)
def test_sla_state_boundaries(due_in: timedelta | None, state: str) -> None:
    due = None if due_in is None else NOW + due_in
    assert sla_state(due, NOW, timedelta(hours=4)) == state


def test_due_soon_window_is_a_parameter() -> None:
    result = bundle(
        complaints=[complaint(1, due_in=timedelta(hours=6))], due_soon=timedelta(hours=8)
    )
    assert result.complaints[0].sla_state == "due_soon"


def test_only_open_complaints_most_urgent_first() -> None:
    complaints = [
        complaint(1, due_in=timedelta(days=2)),
        complaint(2, due_in=timedelta(hours=-1), status="escalated"),
        complaint(3, due_in=timedelta(hours=-5), status="resolved"),
        complaint(4, due_in=timedelta(hours=2), status="in_progress"),
        complaint(5, due_in=None, status="closed"),
    ]
    result = bundle(complaints=complaints)
    assert [(c.complaint.id, c.sla_state) for c in result.complaints] == [
        (2, "overdue"),
        (4, "due_soon"),
        (1, "ok"),
    ]


@pytest.mark.parametrize(
    ("age", "text"),
    [(timedelta(minutes=30), "30 min"), (timedelta(hours=5), "5 h"), (timedelta(days=3), "3 d")],
)
def test_complaint_age_text(age: timedelta, text: str) -> None:
    result = bundle(complaints=[complaint(1, due_in=timedelta(days=1), age=age)])
    assert result.complaints[0].age == age
    assert result.complaints[0].age_text == text


def test_repeat_caller_only_for_calls_in_the_last_seven_days() -> None:
    assert "repeat_caller" in bundle(contacts=[contact(1, days_ago=6.9)]).alert_codes
    assert "repeat_caller" not in bundle(contacts=[contact(1, days_ago=7.1)]).alert_codes
    emailed = bundle(contacts=[contact(1, days_ago=1, channel="email")])
    assert "repeat_caller" not in emailed.alert_codes


def test_the_call_being_popped_is_not_a_repeat_of_itself() -> None:
    this_call = ContactView(
        id=1, channel="call", direction="inbound", started_at=NOW, call_linkedid="1763.7"
    )
    assert "repeat_caller" in bundle(contacts=[this_call]).alert_codes
    assert bundle(contacts=[this_call], current_linkedid="1763.7").alert_codes == ()
    assert bundle(contacts=[this_call], current_linkedid="1763.7").contacts == (this_call,)


def test_segment_alerts() -> None:
    assert bundle(profile=profile(segment="senior")).alert_codes == ("senior",)
    assert bundle(profile=profile(segment="vip")).alert_codes == ("vip",)
    assert bundle(profile=profile(segment="regular")).alert_codes == ()


def test_birthday_today_by_month_and_day() -> None:
    assert "birthday" in bundle(profile=profile(birthday=date(1980, 11, 20))).alert_codes
    assert "birthday" not in bundle(profile=profile(birthday=date(1980, 11, 21))).alert_codes
    assert "birthday" not in bundle(profile=profile(birthday=None)).alert_codes


def test_leap_day_birthday() -> None:
    leap = date(1992, 2, 29)
    assert is_birthday(leap, date(2027, 2, 28))  # non-leap year: celebrated on Feb 28
    assert not is_birthday(leap, date(2027, 3, 1))
    assert not is_birthday(leap, date(2028, 2, 28))  # leap year: the real day counts
    assert is_birthday(leap, date(2028, 2, 29))
    assert not is_birthday(date(1990, 2, 28), date(2028, 2, 29))


def test_birthday_uses_the_call_centre_local_day() -> None:
    late_utc = datetime(2026, 11, 19, 17, 0, tzinfo=UTC)  # already Nov 20 in Beijing
    born = profile(birthday=date(1980, 11, 20))
    assert "birthday" in bundle(profile=born, now=late_utc, local_tz=CN).alert_codes
    assert "birthday" not in bundle(profile=born, now=late_utc).alert_codes


def test_overdue_complaint_alert() -> None:
    result = bundle(complaints=[complaint(9, due_in=timedelta(hours=-2))])
    assert result.alert_codes == ("overdue_complaint",)
    assert "parcel 9 missing" in result.alerts[0].message
    assert bundle(complaints=[complaint(9, due_in=timedelta(hours=2))]).alert_codes == ()


def test_credit_hold_from_flag_or_distributor_rating() -> None:
    assert bundle(profile=profile(credit_hold=True)).alert_codes == ("credit_hold",)
    distributor_d = profile(roles=("distributor",), credit_rating="D")
    assert bundle(profile=distributor_d).alert_codes == ("credit_hold",)
    distributor_b = profile(roles=("distributor",), credit_rating="B")
    assert bundle(profile=distributor_b).alert_codes == ()
    assert bundle(profile=profile(credit_rating="D")).alert_codes == ()  # not a distributor


def test_alerts_in_display_order() -> None:
    result = bundle(
        profile=profile(segment="vip", birthday=date(1970, 11, 20), credit_hold=True),
        complaints=[complaint(1, due_in=timedelta(hours=-1))],
        contacts=[contact(1, days_ago=2)],
    )
    assert result.alert_codes == (
        "overdue_complaint",
        "credit_hold",
        "repeat_caller",
        "vip",
        "birthday",
    )


def test_naive_timestamps_are_taken_as_utc() -> None:
    naive = ContactView(
        id=1, channel="call", direction="inbound", started_at=datetime(2026, 11, 19)
    )
    result = bundle(contacts=[naive, contact(2, days_ago=3)])
    assert [c.id for c in result.contacts] == [1, 2]
    assert result.to_json()["contacts"][0]["started_at"] == "2026-11-19T00:00:00+00:00"  # type: ignore[index]


def test_to_json_is_json_ready() -> None:
    result = bundle(
        profile=profile(birthday=date(1980, 1, 2), roles=("member", "author")),
        orders=[order(1)],
        complaints=[complaint(1, due_in=timedelta(hours=1), age=timedelta(hours=30))],
        contacts=[contact(1, days_ago=2)],
    )
    data = json.loads(json.dumps(result.to_json(), ensure_ascii=False))
    assert data["customer"]["birthday"] == "1980-01-02"
    assert data["customer"]["roles"] == ["member", "author"]
    assert data["orders"][0]["total"] == "39.80"
    assert data["orders"][0]["placed_at"] == "2026-11-19T10:00:00+00:00"
    assert data["orders"][0]["items"][0] == {
        "title": "Book 1",
        "quantity": 2,
        "unit_price": "19.90",
        "isbn": None,
    }
    assert data["complaints"][0]["sla_state"] == "due_soon"
    assert data["complaints"][0]["age_hours"] == 30.0
    assert data["complaints"][0]["age_text"] == "30 h"
    assert data["alerts"] == [{"code": "repeat_caller", "message": "1 call(s) in the last 7 days"}]
    assert data["generated_at"] == "2026-11-20T10:00:00+00:00"


def test_views_map_from_repository_records() -> None:
    customer = Customer(
        id=3, member_number="M3", name="Wang Fang", segment="senior", roles=("member",),
        member_since=date(2019, 5, 1), birthday=None, email=None, city="Beijing",
        preferred_genres=("history",), language="zh", do_not_call=False, credit_rating=None,
        credit_hold=False, created_at=NOW, updated_at=NOW,
    )  # fmt: skip
    stored = Order(
        id=8, customer_id=3, order_number="O8", channel="phone", status="paid",
        total=Decimal("10.00"), currency="CNY", placed_at=NOW,
        items=(OrderItem(title="Book", isbn=None, quantity=1, unit_price=Decimal("10")),),
    )  # fmt: skip
    view = OrderView.from_record(
        stored, items=tuple(OrderItemView.from_record(i) for i in stored.items)
    )
    result = bundle(profile=CustomerProfile.from_record(customer), orders=[view])
    assert result.profile.city == "Beijing"
    assert result.alert_codes == ("senior",)
    assert result.orders[0].items[0].title == "Book"
