"""Sending a work item to another group (pure): who may, from which statuses, its new due time.

A transferred item waits again (`new`) in its new group, nobody holding it; its due time is the
new group's target for its kind counted from when the item was received (the customer's wait
does not start again because it changed hands), in that group's opening hours.
"""

from __future__ import annotations

from datetime import datetime

from callcenter.domain.routing.rules import RoutingRules
from callcenter.domain.routing.work_sla import Calendar, due_at
from callcenter.domain.work_items import FINAL_STATUSES, IllegalTransition


def may_transfer(*, manager: bool, agent_code: str | None, holder: str | None) -> bool:
    """A supervisor (or admin) any item; an agent only the item offered to or held by them."""
    return manager or (agent_code is not None and agent_code == holder)


def check_transfer(*, kind: str, status: str) -> None:
    """IllegalTransition unless an item of `kind` in `status` may go to another group."""
    if status in FINAL_STATUSES:
        raise IllegalTransition(f"a {status} item cannot be transferred")
    if kind == "callback" and status == "in_progress":
        raise IllegalTransition("the callback is being dialled; transfer it after the call")


def transfer_due(
    *, kind: str, received: datetime, to_group: str, rules: RoutingRules
) -> datetime | None:
    """The item's due time under the new group's rule (None when that group sets none)."""
    calendar = Calendar.of(rules.groups.get(to_group), rules.timezone, rules.holidays)
    return due_at(rules.work.target(kind, to_group), calendar, received)
