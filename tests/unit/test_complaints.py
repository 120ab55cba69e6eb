"""The complaint workflow: the status graph, the escalation path and SLA due times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from callcenter.domain.complaints.records import (
    COMPLAINT_CATEGORIES,
    COMPLAINT_STATUSES,
    SEVERITIES,
)
from callcenter.domain.complaints.workflow import (
    ESCALATION_PATH,
    TRANSITIONS,
    WorkflowError,
    check_transition,
    default_owner,
    escalate,
    legal_targets,
    sla_due,
)

LEGAL = {
    ("open", "in_progress"),
    ("open", "escalated"),
    ("open", "resolved"),
    ("in_progress", "escalated"),
    ("in_progress", "resolved"),
    ("escalated", "in_progress"),
    ("escalated", "resolved"),
    ("resolved", "closed"),
    ("resolved", "in_progress"),
}


@pytest.mark.parametrize("current", COMPLAINT_STATUSES)
@pytest.mark.parametrize("target", COMPLAINT_STATUSES)
def test_every_pair_of_statuses_is_legal_exactly_when_the_graph_says(
    current: str, target: str
) -> None:
    if (current, target) in LEGAL:
        check_transition(current, target)
        assert target in legal_targets(current)
        return
    with pytest.raises(WorkflowError) as info:
        check_transition(current, target)
    assert info.value.current == current
    assert info.value.legal == TRANSITIONS[current]
    assert target not in info.value.legal


def test_the_refusal_names_the_legal_moves() -> None:
    with pytest.raises(WorkflowError, match="legal: closed, in_progress"):
        check_transition("resolved", "escalated")
    with pytest.raises(WorkflowError, match="closed is final"):
        check_transition("closed", "open")


def test_every_status_can_reach_closed_and_closed_is_final() -> None:
    for start in COMPLAINT_STATUSES:
        seen, todo = {start}, [start]
        while todo:
            for nxt in TRANSITIONS[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        assert "closed" in seen
    assert legal_targets("closed") == ()


def test_unknown_statuses_are_a_value_error_not_a_workflow_refusal() -> None:
    with pytest.raises(ValueError, match="unknown complaint status 'pending'"):
        check_transition("open", "pending")
    with pytest.raises(ValueError, match="unknown complaint status 'lost'"):
        legal_targets("lost")


def test_escalation_climbs_hotline_editor_author_one_step_at_a_time() -> None:
    first = escalate("in_progress", "hotline")
    assert (first.from_level, first.to_level) == ("hotline", "editor")
    assert (first.from_status, first.to_status) == ("in_progress", "escalated")
    second = escalate(first.to_status, first.to_level)
    assert second.to_level == "author_expert"
    with pytest.raises(WorkflowError, match="last escalation level"):
        escalate(second.to_status, second.to_level)
    assert ESCALATION_PATH == ("hotline", "editor", "author_expert")


@pytest.mark.parametrize("status", ["resolved", "closed"])
def test_a_settled_complaint_cannot_be_escalated(status: str) -> None:
    with pytest.raises(WorkflowError, match=f"cannot escalate a {status} complaint"):
        escalate(status, "hotline")


def test_escalating_from_open_is_allowed() -> None:
    assert escalate("open", "hotline").to_status == "escalated"


def test_sla_is_shorter_the_more_severe_the_complaint() -> None:
    opened = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    dues = [sla_due(s, opened) for s in ("critical", "high", "medium", "low")]
    assert dues == sorted(dues)
    assert len(set(dues)) == 4
    assert sla_due("critical", opened) == opened + timedelta(days=1)
    assert all(sla_due(s, opened) > opened for s in SEVERITIES)
    with pytest.raises(ValueError, match="unknown severity 'urgent'"):
        sla_due("urgent", opened)


def test_every_category_has_an_owner_group() -> None:
    assert {c: default_owner(c) for c in COMPLAINT_CATEGORIES}["billing"] == "finance"
    assert default_owner("editorial") == "letters"
    with pytest.raises(ValueError, match="unknown complaint category"):
        default_owner("weather")
