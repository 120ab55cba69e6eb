"""Campaign domain: calling windows in the customer's local time, retries, do-not-call, skips."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from callcenter.domain.campaigns.campaign import CallingWindow, Campaign, RetryPolicy
from callcenter.domain.campaigns.eligibility import DialContext, terminal, why_not
from callcenter.domain.campaigns.records import (
    ListRecord,
    after_attempt,
    after_disposition,
    start_attempt,
)
from callcenter.domain.campaigns.window import may_call, zones_of

NINE_TO_NINE = CallingWindow(time(9, 0), time(21, 0))


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("number", "utc", "allowed"),
    [
        # Shanghai is UTC+8: 02:00 UTC is 10:00 there, 14:00 UTC is 22:00
        ("+8613800138000", "2026-12-03T02:00:00", True),
        ("+8613800138000", "2026-12-03T14:00:00", False),
        # New York is UTC-5 in December: 14:00 UTC is 09:00, 13:59 is 08:59
        ("+12125551234", "2026-12-03T14:00:00", True),
        ("+12125551234", "2026-12-03T13:59:00", False),
        # London: UTC in December
        ("+442079460000", "2026-12-03T20:59:00", True),
        ("+442079460000", "2026-12-03T21:00:00", False),
    ],
)
def test_window_is_the_customers_local_time(number: str, utc: str, allowed: bool) -> None:
    assert may_call(NINE_TO_NINE, number, _at(utc), "Asia/Shanghai") is allowed


def test_a_number_without_zone_data_uses_the_centers_zone() -> None:
    assert zones_of("+999123", "Asia/Shanghai") == ("Asia/Shanghai",)
    # 10:00 in Shanghai, 02:00 UTC
    assert may_call(NINE_TO_NINE, "not a number", _at("2026-12-03T02:00:00"), "Asia/Shanghai")


def test_a_number_ringing_in_several_zones_must_be_inside_all_of_them() -> None:
    zones = zones_of("+1800555000", "Asia/Shanghai")  # toll-free: every US zone
    if len(zones) > 1:  # depends on phonenumbers' data; then the earliest zone decides
        assert not may_call(NINE_TO_NINE, "+1800555000", _at("2026-12-03T14:30:00"), "UTC")


def test_window_days() -> None:
    weekdays = CallingWindow(time(9), time(18), frozenset(range(5)))
    assert may_call(weekdays, "+8613800138000", _at("2026-12-04T02:00:00"), "UTC")  # Friday
    assert not may_call(weekdays, "+8613800138000", _at("2026-12-05T02:00:00"), "UTC")  # Sat


def test_bad_window_and_retry_rules_are_refused() -> None:
    with pytest.raises(ValueError, match="start"):
        CallingWindow(time(18), time(9))
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError, match="unknown outcomes"):
        RetryPolicy(delays_s={"sale": 1.0})
    with pytest.raises(ValueError, match="mode"):
        Campaign(id=1, name="x", mode="robocall")  # type: ignore[arg-type]


RETRY = RetryPolicy(
    max_attempts=3,
    delays_s={"busy": 60, "no_answer": 600, "machine": 1200, "congestion": 30, "dropped": 300},
)


@pytest.mark.parametrize(
    ("attempts", "outcome", "status", "next_at", "closed"),
    [
        (1, "busy", "queued", 1060, None),
        (1, "no_answer", "queued", 1600, None),
        (1, "machine", "queued", 2200, None),
        (2, "congestion", "queued", 1030, None),
        (1, "dropped", "queued", 1300, None),
        (3, "busy", "done", 0, "max_attempts"),
        (1, "failed", "done", 0, "failed"),
        (1, "connected", "dialing", 0, None),
    ],
)
def test_after_attempt(
    attempts: int, outcome: str, status: str, next_at: float, closed: str | None
) -> None:
    rec = ListRecord(id=1, campaign_id=1, number="+8613800138000", attempts=attempts)
    out = after_attempt(rec, outcome, RETRY, 1000.0)
    assert (out.status, out.next_at, out.closed_reason) == (status, next_at, closed)
    assert out.last_outcome == outcome


@pytest.mark.parametrize(
    ("code", "status", "next_at"),
    [
        ("sale", "done", 0),
        ("refused", "done", 0),
        ("wrong_number", "done", 0),
        ("do_not_call", "done", 0),
        ("callback", "queued", 5000),
    ],
)
def test_after_disposition(code: str, status: str, next_at: float) -> None:
    rec = ListRecord(id=1, campaign_id=1, number="+8613800138000", status="dialing", attempts=1)
    out = after_disposition(rec, code, 1000.0, callback_at=5000.0)
    assert (out.status, out.next_at) == (status, next_at)
    with pytest.raises(ValueError):
        after_disposition(rec, "maybe", 1000.0)


def test_start_attempt_counts_and_locks() -> None:
    rec = start_attempt(ListRecord(id=1, campaign_id=1, number="+8613800138000"))
    assert (rec.status, rec.attempts) == ("dialing", 1)


CAMPAIGN = Campaign(id=1, name="Winter catalogue", retry=RETRY)
NOW = _at("2026-12-03T04:00:00").timestamp()  # 12:00 in Shanghai
NUMBER = "+8613800138000"


@pytest.mark.parametrize(
    ("record", "ctx", "reason"),
    [
        (ListRecord(1, 1, NUMBER, 7), DialContext(NOW, "Asia/Shanghai"), None),
        (
            ListRecord(1, 1, NUMBER, 7),
            DialContext(NOW, "Asia/Shanghai", dnc_numbers={NUMBER}),
            "do_not_call",
        ),
        (
            ListRecord(1, 1, NUMBER, 7),
            DialContext(NOW, "Asia/Shanghai", dnc_customers={7}),
            "do_not_call",
        ),
        (
            ListRecord(1, 1, NUMBER, 7),
            DialContext(NOW, "Asia/Shanghai", in_flight={NUMBER}),
            "in_flight",
        ),
        (
            ListRecord(1, 1, NUMBER, 7),
            DialContext(NOW, "Asia/Shanghai", called_in_today={7}),
            "called_in_today",
        ),
        (
            ListRecord(1, 1, NUMBER, None),
            DialContext(NOW, "Asia/Shanghai", called_in_numbers={NUMBER}),
            "called_in_today",
        ),
        (ListRecord(1, 1, NUMBER, 7, next_at=NOW + 1), DialContext(NOW, "UTC"), "not_yet"),
        (ListRecord(1, 1, NUMBER, 7, attempts=3), DialContext(NOW, "UTC"), "max_attempts"),
        (ListRecord(1, 1, NUMBER, 7, status="done"), DialContext(NOW, "UTC"), "closed"),
        (ListRecord(1, 1, NUMBER, 7, status="dialing"), DialContext(NOW, "UTC"), "in_progress"),
        (
            ListRecord(1, 1, NUMBER, 7),
            DialContext(NOW + 10 * 3600, "Asia/Shanghai"),  # 22:00 in Shanghai
            "outside_window",
        ),
    ],
)
def test_why_not(record: ListRecord, ctx: DialContext, reason: str | None) -> None:
    assert why_not(record, CAMPAIGN, ctx) == reason


def test_only_dnc_and_exhausted_records_are_closed_by_a_skip() -> None:
    assert terminal("do_not_call") and terminal("max_attempts")
    assert not terminal("outside_window") and not terminal("called_in_today")


def test_csv_lines_are_normalized_and_rejects_named_per_line() -> None:
    from callcenter.domain.campaigns.lists import parse_csv, screen

    text = (
        "number,name,customer_id\n"
        "138 0013 8000,Li Lei,7\n"
        "+86 139 0000 0001,Han Meimei\n"
        "hello,Nobody\n"
        "\n"
        "13800138000,Li Lei again\n"
        "13900000002,,x\n"
        "021-6123-4567\n"
    )
    accepted, rejects = parse_csv(text, "CN")
    assert [c.number for c in accepted] == [
        "+8613800138000",
        "+8613900000001",
        "+8613800138000",
        "+862161234567",
    ]
    assert [(r.line, r.reason.split(" (")[0]) for r in rejects] == [
        (4, "not a dialable number"),
        (7, "customer_id is not a whole number"),
    ]
    kept, dropped = screen(accepted, dnc_numbers={"+862161234567"}, dnc_customers={99})
    assert [c.number for c in kept] == ["+8613800138000", "+8613900000001"]
    assert [(r.line, r.reason) for r in dropped] == [
        (6, "duplicate number in the list"),
        (8, "number is on the do-not-call list"),
    ]
