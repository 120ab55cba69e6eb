"""KPI arithmetic: business days, per-group and per-agent figures, counted by hand."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from callcenter.domain.calls.records import CallRecord
from callcenter.domain.kpi.book import (
    KpiBook,
    KpiRules,
    agent_figures,
    business_day,
    day_bounds,
    group_figures,
    interval_start,
)
from callcenter.domain.routing.groups import Group

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2024, 5, 1, 10, 0, tzinfo=SH)


def group(slug: str, target_s: int = 20) -> Group:
    return Group(
        slug=slug,
        name=slug.title(),
        name_zh="组",
        queue=slug,
        entry_point="8001",
        sl_target_seconds=target_s,
        sl_target_percent=80,
    )


GROUPS = (group("member-hotline"), group("online-service", 30), group("finance"))
RULES = KpiRules(groups=GROUPS, short_abandon_s=5.0, wrapup_s={"member-hotline": 10.0})


def call(n: int, outcome: str = "answered", **kw: Any) -> CallRecord:
    fields: dict[str, Any] = {
        "pbx": "pbx1",
        "linkedid": f"c{n}",
        "direction": "inbound",
        "caller": "+8613800138000",
        "caller_name": None,
        "queues": ("member-hotline",),
        "agent": "1001" if outcome == "answered" else None,
        "outcome": outcome,
        "wait_s": 10.0,
        "talk_s": 100.0 if outcome == "answered" else 0.0,
        "ring_attempts": 1,
        "transferred": False,
        "started_at": T0 + timedelta(minutes=n),
        "ended_at": T0 + timedelta(minutes=n, seconds=200),
    }
    fields.update(kw)
    return CallRecord(**fields)


def figures(records: list[CallRecord], slug: str = "member-hotline") -> dict[str, Any]:
    book = KpiBook(RULES)
    book.add_all(records)
    return group_figures(book.group(slug))


# One mixed day in member-hotline (T = 20 s, wrap-up 10 s, short abandon < 5 s).
MIXED = [
    call(1, wait_s=10.0, talk_s=100.0, disposition_code="order_status", settled_first_contact=True),
    call(2, wait_s=40.0, talk_s=200.0, disposition_code="payment", settled_first_contact=False),
    call(3, wait_s=20.0, talk_s=60.0),  # exactly T: within (as app_queue counts it)
    call(4, "abandoned", wait_s=30.0),  # long, beyond T
    call(5, "abandoned", wait_s=12.0),  # long, within T
    call(6, "abandoned", wait_s=4.9),  # short
    call(7, "timeout", wait_s=60.0),
]


@pytest.mark.parametrize(
    ("records", "expected"),
    [
        pytest.param(
            MIXED,
            {
                "offered": 7,
                "answered": 3,
                "abandoned": 3,
                "short_abandoned": 1,
                "timeout": 1,
                "answered_within_sl": 2,
                "sl_percent": 66.7,  # 2 of 3 answered within 20 s
                "sl2_percent": 60.0,  # (2 answered + 1 abandoned within T) / (3 + 2 long abandons)
                "asa_s": 23.3,  # (10 + 40 + 20) / 3
                "aht_s": 130.0,  # (110 + 210 + 70) / 3
                "abandon_rate": 33.3,  # 2 long abandons / (3 answered + 2 + 1 timeout)
                "fcr_percent": 50.0,  # 1 settled of 2 with a disposition
            },
            id="mixed-day",
        ),
        pytest.param(
            [call(1, "abandoned", wait_s=1.0), call(2, "abandoned", wait_s=4.99)],
            {
                "offered": 2,
                "abandoned": 2,
                "short_abandoned": 2,
                "sl_percent": None,
                "sl2_percent": None,  # only short abandons: nothing to measure
                "abandon_rate": None,
                "asa_s": None,
            },
            id="only-short-abandons",
        ),
        pytest.param(
            [call(1, "abandoned", wait_s=5.0)],  # the threshold itself is a long abandon
            {"short_abandoned": 0, "abandon_rate": 100.0, "sl2_percent": 100.0},
            id="abandon-at-threshold-is-long",
        ),
        pytest.param(
            [],
            {"offered": 0, "sl_percent": None, "aht_s": None, "fcr_percent": None},
            id="no-calls",
        ),
        pytest.param(
            [call(1, wrapup_s=30.0, talk_s=90.0)],  # the record's own wrap-up wins
            {"aht_s": 120.0},
            id="recorded-wrapup",
        ),
    ],
)
def test_group_figures(records: list[CallRecord], expected: dict[str, Any]) -> None:
    got = figures(records)
    assert {k: got[k] for k in expected} == expected


def test_overflowed_call_is_offered_in_both_groups_and_ends_in_the_last() -> None:
    answered = call(1, queues=("member-hotline", "online-service"), wait_s=27.0)
    abandoned = call(2, "abandoned", queues=("member-hotline", "online-service"), wait_s=50.0)
    hotline = figures([answered, abandoned])
    online = figures([answered, abandoned], "online-service")
    assert (hotline["offered"], hotline["answered"], hotline["abandoned"]) == (2, 0, 0)
    assert (online["offered"], online["answered"], online["abandoned"]) == (2, 1, 1)
    # online-service's own target (30 s) applies to the wait in both queues together
    assert online["answered_within_sl"] == 1
    assert online["asa_s"] == 27.0


def test_transferred_call_is_offered_in_each_group_and_answered_where_finally_served() -> None:
    transferred = call(1, queues=("member-hotline", "finance"), transferred=True, wait_s=4.0)
    hotline, finance = figures([transferred]), figures([transferred], "finance")
    assert (hotline["offered"], hotline["answered"]) == (1, 0)
    assert (finance["offered"], finance["answered"], finance["sl_percent"]) == (1, 1, 100.0)


def test_a_queue_entered_twice_counts_once_and_unknown_queues_count_nowhere() -> None:
    again = call(1, queues=("member-hotline", "online-service", "member-hotline"))
    assert figures([again])["offered"] == 1
    assert figures([again])["answered"] == 1
    stray = call(2, queues=("no-such-queue",))
    book = KpiBook(RULES)
    book.add(stray)
    assert all(book.group(g.slug).offered == 0 for g in GROUPS)
    assert book.agent("1001").answered == 1  # the agent still answered it


def test_outbound_calls_count_in_no_group_nor_agent() -> None:
    book = KpiBook(RULES)
    book.add(call(1, direction="outbound", queues=()))
    assert book.group("member-hotline").offered == 0
    assert book.agent_keys() == []


def test_agent_figures() -> None:
    book = KpiBook(RULES)
    book.add_all(
        [
            call(1, agent="1001", talk_s=50.0),
            call(2, agent="1001", talk_s=150.0, queues=("online-service",)),  # no wrap-up set
            call(3, agent="1002", talk_s=70.0),
            call(4, "abandoned"),
        ]
    )
    assert book.agent_keys() == ["1001", "1002"]
    assert agent_figures(book.agent("1001")) == {
        "answered": 2,
        "aht_s": 105.0,
        "fcr_percent": None,
    }  # (60 + 150) / 2
    assert agent_figures(book.agent("1002"))["aht_s"] == 80.0


def test_adding_a_call_again_replaces_it() -> None:
    book = KpiBook(RULES)
    first = call(1)
    book.add(first)
    book.add(first)
    assert book.group("member-hotline").offered == 1
    book.add(replace(first, disposition_code="payment", settled_first_contact=True))
    assert group_figures(book.group("member-hotline"))["fcr_percent"] == 100.0
    assert book.group("member-hotline").answered == 1
    book.discard(("pbx1", "c1"))
    assert book.group("member-hotline") == book.group("nothing")
    assert len(book) == 0


def test_same_calls_in_any_order_give_the_same_tallies() -> None:
    odd = [call(n, wait_s=0.1 * n + 0.003, talk_s=1 / 3 + n) for n in range(1, 40)]
    reference = KpiBook(RULES)
    reference.add_all(odd)
    shuffled = odd[:]
    random.Random(7).shuffle(shuffled)
    again = KpiBook(RULES)
    again.add_all(shuffled)
    assert again.group("member-hotline") == reference.group("member-hotline")
    assert again.agent("1001") == reference.agent("1001")


@pytest.mark.parametrize(
    ("local", "start_hour", "day"),
    [
        (datetime(2024, 5, 1, 23, 59, 50), 0, date(2024, 5, 1)),
        (datetime(2024, 5, 2, 0, 0, 10), 0, date(2024, 5, 2)),
        (datetime(2024, 5, 2, 5, 59, 59), 6, date(2024, 5, 1)),
        (datetime(2024, 5, 2, 6, 0, 0), 6, date(2024, 5, 2)),
    ],
)
def test_business_day(local: datetime, start_hour: int, day: date) -> None:
    at = local.replace(tzinfo=SH).astimezone(UTC)  # stored times are UTC
    assert business_day(at, SH, start_hour) == day
    start, end = day_bounds(day, SH, start_hour)
    assert start <= at < end


def test_call_offered_before_midnight_counts_in_that_day() -> None:
    started = datetime(2024, 5, 1, 23, 59, 50, tzinfo=SH)
    late = call(
        1,
        started_at=started,
        answered_at=started + timedelta(seconds=20),  # 00:00:10 the next day
        ended_at=started + timedelta(seconds=80),
        wait_s=20.0,
    )
    assert business_day(late.started_at, SH, 0) == date(2024, 5, 1)
    assert business_day(late.ended_at, SH, 0) == date(2024, 5, 2)


def test_day_bounds_across_a_dst_change_are_local_hours() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    start, end = day_bounds(date(2024, 3, 30), berlin, 6)  # forward at 02:00 on the 31st
    assert end.timestamp() - start.timestamp() == 23 * 3600
    assert start.astimezone(berlin).hour == 6 and end.astimezone(berlin).hour == 6


@pytest.mark.parametrize(
    ("minute", "minutes", "expected"), [(7, 15, 0), (29, 15, 15), (44, 30, 30), (59, 60, 0)]
)
def test_interval_start(minute: int, minutes: int, expected: int) -> None:
    at = datetime(2024, 5, 1, 9, minute, 33, tzinfo=SH).astimezone(UTC)
    start = interval_start(at, SH, minutes)
    assert (start.hour, start.minute, start.second) == (9, expected, 0)
    assert start.utcoffset() == timedelta(hours=8)
