"""The default rule book (the Bertelsmann model), rule by rule, through the pure router."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from callcenter.domain.routing.inputs import (
    CallInfo,
    CustomerSnapshot,
    GroupStaff,
    OpenComplaint,
    ServedBy,
)
from callcenter.domain.routing.router import decide, fallback_decision
from callcenter.services.routing import load_rules

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)  # a working day, every group open
RULES = load_rules(None)
GROUPS = [
    "member-hotline",
    "online-service",
    "telemarketing",
    "letters",
    "documents",
    "finance",
    "data-maintenance",
]


def call(
    caller: str | None = "+8613800138000",
    did: str | None = "8001",
    menu: str | None = None,
    at: datetime = MONDAY_10,
) -> CallInfo:
    return CallInfo(caller=caller, did=did, menu=menu, at=at)


def member(segment: str = "regular", **kw: object) -> CustomerSnapshot:
    return CustomerSnapshot(customer_id=42, segment=segment, name="Li Wei", **kw)  # type: ignore[arg-type]


def staff(*logged_in: str, paused: tuple[str, ...] = (), busy: tuple[str, ...] = ()) -> GroupStaff:
    return GroupStaff(frozenset(logged_in), frozenset(paused), frozenset(busy))


def fired(decision: object) -> list[str]:
    return [t.rule for t in decision.trace if t.fired]  # type: ignore[attr-defined]


@pytest.mark.parametrize(("did", "group"), [(f"800{i + 1}", g) for i, g in enumerate(GROUPS)])
def test_each_entry_point_reaches_its_group(did: str, group: str) -> None:
    decision = decide(call(did=did), member(), {}, RULES)
    assert decision.action == "queue"
    assert decision.queue == group
    assert decision.customer_id == 42
    assert decision.reason == "default"


@pytest.mark.parametrize(
    ("menu", "group", "reason"),
    [
        ("1", "member-hotline", "menu: orders and membership"),
        ("2", "online-service", "menu: online orders"),
        ("3", "finance", "menu: payments"),
        ("4", "member-hotline", "menu: complaints"),
    ],
)
def test_ivr_choice_refines_the_entry_point(menu: str, group: str, reason: str) -> None:
    decision = decide(call(did="8001", menu=menu), member(), {}, RULES)
    assert decision.queue == group
    assert decision.reason == reason


def test_complaint_choice_goes_to_the_complaint_owner_group() -> None:
    complaint = OpenComplaint(7, "documents", "1008", MONDAY_10 - timedelta(days=3))
    snap = member(open_complaints=(complaint,))
    decision = decide(call(menu="4"), snap, {"documents": staff("1008")}, RULES)
    assert decision.queue == "documents"
    assert decision.preferred_agent == "1008"
    assert decision.priority == 50
    assert decision.reason == "menu: complaints, open complaint"


def test_open_complaint_owner_is_skipped_when_paused_but_group_kept() -> None:
    complaint = OpenComplaint(7, "finance", "1009", MONDAY_10 - timedelta(days=1))
    snap = member(open_complaints=(complaint,))
    decision = decide(call(), snap, {"finance": staff("1009", paused=("1009",))}, RULES)
    assert decision.queue == "finance"
    assert decision.preferred_agent is None
    assert any("1009 not logged in or paused" in t.detail for t in decision.trace)


def test_complaint_older_than_the_sticky_days_no_longer_steers() -> None:
    old = OpenComplaint(
        7, "finance", "1009", MONDAY_10 - timedelta(days=RULES.complaint_sticky_days + 1)
    )
    decision = decide(call(), member(open_complaints=(old,)), {"finance": staff("1009")}, RULES)
    assert decision.queue == "member-hotline"
    assert decision.preferred_agent is None


def test_complaint_does_not_override_an_explicit_other_menu_choice() -> None:
    complaint = OpenComplaint(7, "documents", None, MONDAY_10)
    decision = decide(call(menu="2"), member(open_complaints=(complaint,)), {}, RULES)
    assert decision.queue == "online-service"


def test_last_agent_is_preferred_when_free_and_not_when_busy() -> None:
    snap = member(last_agents=(ServedBy("1002", MONDAY_10 - timedelta(days=2)),))
    free = decide(call(), snap, {"member-hotline": staff("1001", "1002")}, RULES)
    assert free.preferred_agent == "1002"
    busy = decide(call(), snap, {"member-hotline": staff("1002", busy=("1002",))}, RULES)
    assert busy.preferred_agent is None


def test_last_agent_from_long_ago_is_not_sticky() -> None:
    snap = member(last_agents=(ServedBy("1002", MONDAY_10 - timedelta(days=60)),))
    decision = decide(call(), snap, {"member-hotline": staff("1002")}, RULES)
    assert decision.preferred_agent is None


def test_senior_member_gets_priority_and_the_senior_desk() -> None:
    decision = decide(call(), member("senior"), {"member-hotline": staff("1001", "1002")}, RULES)
    assert decision.queue == "member-hotline"
    assert decision.priority == 60
    assert decision.segment == "senior"
    assert decision.preferred_agent == "1001"
    assert decision.reason == "senior member"


def test_senior_desk_skips_busy_desk_agents() -> None:
    live = {"member-hotline": staff("1001", "1002", busy=("1001",))}
    assert decide(call(), member("senior"), live, RULES).preferred_agent == "1002"
    nobody = decide(call(), member("senior"), {"member-hotline": staff("1003")}, RULES)
    assert nobody.preferred_agent is None
    assert nobody.priority == 60  # priority still applies without a desk


def test_vip_outranks_senior_and_senior_desk_only_on_the_hotline() -> None:
    vip = decide(call(), member("vip"), {"member-hotline": staff("1002")}, RULES)
    assert (vip.priority, vip.preferred_agent, vip.reason) == (80, "1002", "vip member")
    finance = decide(call(did="8006"), member("senior"), {"member-hotline": staff("1001")}, RULES)
    assert finance.queue == "finance"
    assert finance.preferred_agent is None
    assert finance.priority == 60


def test_regular_member_has_no_priority() -> None:
    decision = decide(call(), member(), {"member-hotline": staff("1001")}, RULES)
    assert decision.priority == 0
    assert decision.preferred_agent is None


def test_complaint_owner_wins_over_the_senior_desk() -> None:
    complaint = OpenComplaint(9, "member-hotline", "1003", MONDAY_10)
    snap = member("senior", open_complaints=(complaint,))
    decision = decide(call(), snap, {"member-hotline": staff("1001", "1003")}, RULES)
    assert decision.preferred_agent == "1003"
    assert decision.priority == 60  # raised by seniority, never lowered
    assert decision.reason == "open complaint, senior member"


def test_distributor_on_credit_hold_goes_to_finance() -> None:
    snap = member(roles=frozenset({"distributor"}), credit_hold=True)
    decision = decide(call(did="8002"), snap, {}, RULES)
    assert decision.queue == "finance"
    assert decision.reason == "credit hold"
    cleared = decide(call(did="8002"), member(roles=frozenset({"distributor"})), {}, RULES)
    assert cleared.queue == "online-service"


@pytest.mark.parametrize(("did", "group"), [("8001", "member-hotline"), ("8006", "finance")])
def test_unknown_or_withheld_caller_goes_to_the_did_group_as_new_caller(
    did: str, group: str
) -> None:
    decision = decide(call(caller=None, did=did), None, {}, RULES)
    assert decision.queue == group
    assert decision.customer_id is None
    assert decision.segment is None
    assert decision.reason == "new caller"
    assert decision.channel_variables()["CC_CUSTOMER_ID"] == ""


def test_unknown_did_falls_to_the_default_group() -> None:
    decision = decide(call(did="9999"), None, {}, RULES)
    assert decision.queue == RULES.default_group == "member-hotline"
    assert "unknown" in decision.trace[0].detail


def test_each_group_overflows_after_its_own_delay_and_borrows_telemarketing_later() -> None:
    hotline = decide(call(did="8001"), member(), {}, RULES)
    assert [(s.after_s, s.queue, s.kind) for s in hotline.overflow] == [
        (30, "online-service", "overflow"),
        (120, "telemarketing", "borrow"),
    ]
    letters = decide(call(did="8004"), member(), {}, RULES)
    assert [(s.after_s, s.queue) for s in letters.overflow] == [(60, "documents")]
    variables = hotline.dialplan_variables()
    assert variables["CC_OVERFLOW_QUEUE"] == "online-service"
    assert variables["CC_OVERFLOW_AFTER"] == "30"
    assert (variables["CC_WIDEN_QUEUE"], variables["CC_WIDEN_AFTER"]) == ("telemarketing", "120")


@pytest.mark.parametrize(
    ("when", "is_open"),
    [
        (datetime(2026, 11, 23, 8, 29, tzinfo=SHANGHAI), False),  # Monday before opening
        (datetime(2026, 11, 23, 8, 30, tzinfo=SHANGHAI), True),
        (datetime(2026, 11, 23, 20, 59, tzinfo=SHANGHAI), True),
        (datetime(2026, 11, 23, 21, 0, tzinfo=SHANGHAI), False),
        (datetime(2026, 11, 28, 18, 30, tzinfo=SHANGHAI), False),  # Saturday evening
        (datetime(2026, 10, 1, 10, 0, tzinfo=SHANGHAI), True),  # National Day: holiday hours
        (datetime(2026, 10, 1, 17, 30, tzinfo=SHANGHAI), False),
        # 01:30 UTC Monday is 09:30 in Shanghai: the zone, not UTC, decides
        (datetime(2026, 11, 23, 1, 30, tzinfo=ZoneInfo("UTC")), True),
    ],
)
def test_hotline_hours_in_shanghai_with_holidays(when: datetime, is_open: bool) -> None:
    decision = decide(call(at=when), member(), {}, RULES)
    assert (decision.action == "queue") is is_open


def test_outside_hours_becomes_a_callback_for_letters() -> None:
    sunday = datetime(2026, 11, 29, 10, 0, tzinfo=SHANGHAI)  # finance closed on Sundays
    decision = decide(call(did="8006"), member("vip"), {}, RULES)
    assert decision.queue == "finance"
    closed = decide(call(did="8006", at=sunday), member("vip"), {}, RULES)
    assert closed.action == "callback"
    assert closed.queue is None
    assert closed.callback_group == "letters"
    assert closed.reason == "outside hours (vip member)"
    assert closed.channel_variables()["CC_QUEUE"] == ""
    assert closed.dialplan_variables()["CC_ACTION"] == "callback"
    assert closed.trace[-1].rule == "hours"


def test_holiday_without_holiday_hours_is_closed() -> None:
    holiday = datetime(2026, 10, 2, 11, 0, tzinfo=SHANGHAI)  # a Friday in Golden Week
    assert decide(call(did="8006", at=holiday), member(), {}, RULES).action == "callback"


def test_trace_names_every_rule_with_a_reason_when_skipped() -> None:
    decision = decide(call(), member(), {}, RULES)
    skipped = {t.rule: t.detail for t in decision.trace if not t.fired}
    assert set(skipped) == {r.name for r in RULES.rules}
    assert skipped["senior-priority"] == "segment regular not in ['senior']"
    assert skipped["menu-orders"] == "menu 'none' not in ['1']"


def test_channel_variables_are_the_contract_strings() -> None:
    snap = member("senior")
    decision = decide(call(), snap, {"member-hotline": staff("1001")}, RULES)
    assert decision.channel_variables() == {
        "CC_QUEUE": "member-hotline",
        "CC_PRIORITY": "60",
        "CC_CUSTOMER_ID": "42",
        "CC_SEGMENT": "senior",
        "CC_PREFERRED_AGENT": "1001",
        "CC_OVERFLOW_QUEUE": "online-service",
        "CC_OVERFLOW_AFTER": "30",
        "CC_REASON": "senior member",
    }


def test_fallback_uses_the_did_group_without_customer_data() -> None:
    decision = fallback_decision(call(did="8002"), RULES, "database slow")
    assert (decision.queue, decision.reason, decision.customer_id) == (
        "online-service",
        "fallback",
        None,
    )
    assert decision.overflow[0].queue == "member-hotline"
    assert fired(decision)[:1] == ["fallback"]
