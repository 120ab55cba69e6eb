"""The pure work-item rules: legal status moves, and due times counted in opening hours."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from callcenter.domain.routing.business_hours import parse_span
from callcenter.domain.routing.rule_book import parse_rules
from callcenter.domain.routing.rules import RulesError
from callcenter.domain.routing.work_sla import Calendar, due_at, parse_target
from callcenter.domain.work_items import IllegalTransition, check_transition

TZ = ZoneInfo("Asia/Shanghai")
SPAN = parse_span("mon-fri 09:00-17:30")
assert SPAN is not None
LETTERS = Calendar("Asia/Shanghai", (SPAN,), (), frozenset({date(2026, 12, 1)}))


def test_the_life_cycle_allows_only_its_moves() -> None:
    for a, b in [("new", "offered"), ("offered", "new"), ("offered", "accepted"),
                 ("accepted", "in_progress"), ("in_progress", "done"), ("new", "triage"),
                 ("triage", "new"), ("in_progress", "failed")]:  # fmt: skip
        assert check_transition(a, b) == b
    for a, b in [("new", "done"), ("done", "new"), ("cancelled", "new"), ("triage", "offered")]:
        with pytest.raises(IllegalTransition, match=f"a {a} item cannot become {b}"):
            check_transition(a, b)
    with pytest.raises(IllegalTransition, match="unknown status 'open'"):
        check_transition("new", "open")


def test_working_days_skip_weekends_and_holidays_keeping_the_time_of_day() -> None:
    friday_15 = datetime(2026, 11, 27, 15, 0, tzinfo=TZ)
    # Monday 30 Nov counts, Tuesday 1 Dec is a holiday, Wednesday 2 Dec is the second day
    assert due_at(parse_target("2d"), LETTERS, friday_15) == datetime(2026, 12, 2, 15, tzinfo=TZ)
    saturday = datetime(2026, 11, 28, 11, 0, tzinfo=TZ)  # counts from Monday's opening
    assert due_at(parse_target("1d"), LETTERS, saturday) == datetime(2026, 12, 2, 9, tzinfo=TZ)


def test_open_hours_and_next_opening() -> None:
    friday_16 = datetime(2026, 11, 27, 16, 0, tzinfo=TZ)
    # 1.5 h left on Friday, the other 2.5 h from Monday 09:00
    assert due_at(parse_target("4h"), LETTERS, friday_16) == datetime(
        2026, 11, 30, 11, 30, tzinfo=TZ
    )
    assert due_at(parse_target("0h"), LETTERS, friday_16) == friday_16  # open now
    sunday = datetime(2026, 11, 29, 22, 0, tzinfo=TZ)
    assert due_at(parse_target("0h"), LETTERS, sunday) == datetime(2026, 11, 30, 9, tzinfo=TZ)
    always = Calendar("UTC")
    assert due_at(parse_target("30m"), always, sunday) == sunday.replace(minute=30)
    assert due_at(None, LETTERS, sunday) is None


def test_the_rule_book_work_table_is_checked() -> None:
    base = {"groups": {"letters": {}}}
    ok = parse_rules({**base, "work": {"groups": {"letter": "letters"}, "sla": {"letter": "2d"}}})
    assert ok.work.target("letter", "letters") == parse_target("2d")
    bad = [
        ({"groups": {"fax": "letters"}}, "'work.groups.fax' is not a work kind"),
        ({"groups": {"letter": "nowhere"}}, "unknown group 'nowhere'"),
        ({"sla": {"letter": "two days"}}, "must look like '2d'"),
        ({"sla_by_group": {"nowhere": {}}}, "unknown group 'nowhere'"),
        ({"colour": 1}, "unknown field 'work.colour'"),
    ]
    for work, message in bad:
        with pytest.raises(RulesError, match=message):
            parse_rules({**base, "work": work})
