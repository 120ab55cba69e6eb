"""Rule-book validation: every bad rule file is refused with the rule (or group) and field named."""

from __future__ import annotations

import tomllib
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from callcenter.domain.routing.business_hours import parse_span
from callcenter.domain.routing.inputs import CallInfo, CustomerSnapshot, GroupStaff
from callcenter.domain.routing.router import decide
from callcenter.domain.routing.rule_book import parse_rules
from callcenter.domain.routing.rules import RulesError
from callcenter.services.routing import load_rules

BASE = """
timezone = "Asia/Shanghai"
[groups.member-hotline]
did = "8001"
overflow = "finance"
overflow_after_s = 20
[groups.finance]
did = "8006"
[groups.senior-desk]
"""


def rules_with(rule: str, base: str = BASE) -> dict[str, object]:
    return tomllib.loads(base + rule)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            '[[rules]]\nname = "senior-desk"\npriority = 101',
            "rule 'senior-desk': field 'priority' must be an integer 0..100",
        ),
        (
            '[[rules]]\nname = "senior-desk"\npriority = "high"',
            "rule 'senior-desk': field 'priority' must be an integer 0..100",
        ),
        (
            '[[rules]]\nname = "vip"\npriority = true',
            "rule 'vip': field 'priority' must be an integer 0..100",
        ),
        (
            '[[rules]]\nname = "to-nowhere"\nqueue = "sales"',
            "rule 'to-nowhere': field 'queue' names unknown group 'sales'",
        ),
        (
            '[[rules]]\nname = "typo"\nprioirty = 5',
            "rule 'typo': unknown field 'prioirty'",
        ),
        (
            '[[rules]]\nname = "m"\nmatch = { segmnt = ["vip"] }',
            "rule 'm': unknown field 'match.segmnt'",
        ),
        (
            '[[rules]]\nname = "m"\nmatch = { caller = "maybe" }',
            "rule 'm': field 'match.caller' must be \"known\" or \"unknown\"",
        ),
        (
            '[[rules]]\nname = "m"\nmatch = { menu = "1" }',
            "rule 'm': field 'match.menu' must be a list of non-empty strings",
        ),
        (
            '[[rules]]\nname = "m"\nmatch = { credit_hold = "yes" }',
            "rule 'm': field 'match.credit_hold' must be true or false",
        ),
        (
            '[[rules]]\nname = "desk"\nprefer = "agents"',
            "rule 'desk': field 'agents' must list agent codes when prefer = \"agents\"",
        ),
        (
            '[[rules]]\nname = "desk"\nprefer = "best"',
            "rule 'desk': field 'prefer' must be one of complaint-owner, last-agent, agents",
        ),
        (
            '[[rules]]\nname = "x"\nstop = "yes"',
            "rule 'x': field 'stop' must be true or false",
        ),
        (
            '[[rules]]\nname = "x"\nqueue_from = "owner"',
            "rule 'x': field 'queue_from' must be \"complaint\"",
        ),
        ("[[rules]]\npriority = 5", "rule #1: field 'name' must be a non-empty string"),
        (
            '[[rules]]\nname = "a"\n[[rules]]\nname = "a"',
            "rule 'a': field 'name' is used by more than one rule",
        ),
        ('rules = "all"', "rule book: field 'rules' must be a list of [[rules]] tables"),
    ],
)
def test_bad_rule_is_refused_naming_rule_and_field(rule: str, message: str) -> None:
    with pytest.raises(RulesError) as err:
        if rule.startswith("rules ="):
            parse_rules(tomllib.loads(rule + "\n" + BASE))
        else:
            parse_rules(rules_with(rule))
    assert str(err.value) == message


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[groups.a]\noverflow = "b"', "group 'a': field 'overflow' names unknown group 'b'"),
        ('[groups.a]\nborrow = "z"', "group 'a': field 'borrow' names unknown group 'z'"),
        ("[groups.a]\ndid = 8001", "group 'a': field 'did' must be a string of digits"),
        (
            '[groups.a]\ndid = "1"\n[groups.b]\ndid = "1"',
            "group 'b': field 'did' '1' is already used",
        ),
        (
            "[groups.a]\noverflow_after_s = -1",
            "group 'a': field 'overflow_after_s' must be an integer 0..3600",
        ),
        (
            '[groups.a]\nhours = ["weekdays 9-5"]',
            "group 'a': field 'hours' entry 'weekdays 9-5' must look like 'mon-fri 08:00-20:00'",
        ),
        (
            '[groups.a]\nhours = ["mon-fri 18:00-09:00"]',
            "group 'a': field 'hours' entry 'mon-fri 18:00-09:00' must look like "
            "'mon-fri 08:00-20:00'",
        ),
        ("[groups.a]\nhourz = []", "group 'a': unknown field 'hourz'"),
        ("[groups.A]\n", "group 'A': name must be lower-case letters, digits, '-' or '_'"),
        (
            'timezone = "Mars/Olympus"\n[groups.a]',
            "rule book: field 'timezone' names unknown zone 'Mars/Olympus'",
        ),
        (
            'holidays = ["2026-13-01"]\n[groups.a]',
            "rule book: field 'holidays' entry '2026-13-01' is not a date",
        ),
        (
            'default_group = "b"\n[groups.a]',
            "rule book: field 'default_group' names unknown group 'b'",
        ),
        (
            'callback_group = "b"\n[groups.a]',
            "rule book: field 'callback_group' names unknown group 'b'",
        ),
        ('colour = "red"\n[groups.a]', "rule book: unknown field 'colour'"),
        ('timezone = "UTC"', "rule book: field 'groups' must be a non-empty table of groups"),
    ],
)
def test_bad_groups_and_settings_are_refused(toml: str, message: str) -> None:
    with pytest.raises(RulesError) as err:
        parse_rules(tomllib.loads(toml))
    assert str(err.value) == message


def test_rule_file_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "rules.toml"
    bad.write_text(BASE + '[[rules]]\nname = "senior-desk"\npriority = 500\n', "utf-8")
    with pytest.raises(RulesError, match=r"rules\.toml: rule 'senior-desk': field 'priority'"):
        load_rules(bad)
    bad.write_text("[groups\n", "utf-8")
    with pytest.raises(RulesError, match="not valid TOML"):
        load_rules(bad)
    with pytest.raises(RulesError, match=r"missing\.toml"):
        load_rules(tmp_path / "missing.toml")


def test_shipped_rules_are_valid_and_in_the_documented_order() -> None:
    rules = load_rules(None)
    assert [rules.by_did[f"800{i}"] for i in range(1, 8)] == [
        "member-hotline",
        "online-service",
        "telemarketing",
        "letters",
        "documents",
        "finance",
        "data-maintenance",
    ]
    assert rules.timezone == "Asia/Shanghai"
    assert rules.callback_group == "letters"


def test_dedicated_senior_desk_queue_is_used_only_when_staffed() -> None:
    rules = parse_rules(
        rules_with(
            '[[rules]]\nname = "senior-desk"\nmatch = { segment = ["senior"] }\n'
            'queue_if_staffed = "senior-desk"\npriority = 60\nreason = "senior member"\n'
        )
    )
    call = CallInfo(
        "+8613800138000", "8001", None, datetime(2026, 11, 23, 10, tzinfo=ZoneInfo("UTC"))
    )
    senior = CustomerSnapshot(customer_id=1, segment="senior")
    staffed = {"senior-desk": GroupStaff(frozenset({"1011"}))}
    assert decide(call, senior, staffed, rules).queue == "senior-desk"
    paused = {"senior-desk": GroupStaff(frozenset({"1011"}), paused=frozenset({"1011"}))}
    assert decide(call, senior, paused, rules).queue == "member-hotline"
    assert decide(call, senior, {}, rules).queue == "member-hotline"


@pytest.mark.parametrize(
    ("text", "days", "start", "end"),
    [
        ("mon-fri 08:00-20:00", {0, 1, 2, 3, 4}, "08:00:00", "20:00:00"),
        ("sat 09:00-12:00", {5}, "09:00:00", "12:00:00"),
        ("fri-mon 10:00-24:00", {4, 5, 6, 0}, "10:00:00", "23:59:59.999999"),
        ("09:00-17:00", set(range(7)), "09:00:00", "17:00:00"),
    ],
)
def test_hours_spans_parse(text: str, days: set[int], start: str, end: str) -> None:
    span = parse_span(text)
    assert span is not None
    assert (set(span.days), span.start.isoformat(), span.end.isoformat()) == (days, start, end)


@pytest.mark.parametrize("text", ["", "mon-fri", "xyz 08:00-09:00", "25:00-26:00", "mon-fri 8-9"])
def test_malformed_hours_spans_are_rejected(text: str) -> None:
    assert parse_span(text) is None
