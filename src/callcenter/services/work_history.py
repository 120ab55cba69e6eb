"""Closing a work item leaves a contact in the customer's history: one path for the intake's
status changes, the desktop's complete and the callback dialler's last outcome."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from callcenter.domain.webhooks import work_item_done_event
from callcenter.domain.work_items import WorkItem, check_transition, leaves_contact
from callcenter.ports.uow import UnitOfWork, UowFactory
from callcenter.ports.webhooks import EventSink
from callcenter.ports.work_items import StatusChange

log = logging.getLogger(__name__)


async def add_contact(
    uow: UnitOfWork,
    item: WorkItem,
    *,
    status: str,
    now: datetime,
    agent_id: int | None,
    group: str | None = None,
    outcome: str | None = None,
    disposition_code: str | None = None,
    settled: bool = True,
) -> None:
    """The closed item as a contact (a callback is outbound); nothing for items that leave none."""
    if not leaves_contact(item.kind, status):
        return
    await uow.contacts.add(
        channel=item.channel,
        direction="outbound" if item.kind == "callback" else "inbound",
        started_at=item.created_at,
        ended_at=now,
        customer_id=item.customer_id,
        group_slug=group or item.group_slug,
        agent_id=agent_id,
        outcome=(outcome or item.outcome or status)[:40],
        disposition_code=disposition_code,
        settled_first_contact=settled and status == "done",
        note=(item.subject or item.kind)[:500],
    )


class WorkCloser:
    """Closes an item an agent holds (done, failed, cancelled), writing its contact."""

    def __init__(self, *, uow: UowFactory, publish: EventSink | None = None) -> None:
        self._uow = uow
        self._publish = publish  # webhooks: work_item.done

    async def close_held(
        self,
        *,
        item_id: int,
        agent: str,
        expected: tuple[str, ...],
        status: str,
        now: datetime,
        outcome: str | None = None,
        disposition_code: str | None = None,
        note: str | None = None,
        agent_id: int | None = None,
    ) -> bool:
        """Close the item if `agent` owns it in one of `expected`; False if not (any more).
        `agent_id`: the agent's id as the caller knows it (no look-up when it is the owner's)."""
        async with self._uow() as uow:
            item = await uow.work_items.get(item_id=item_id)
            if item is None:
                return False
            owner_id = agent_id
            if owner_id is None or owner_id != item.owner_agent_id:
                owner = await uow.agents.get_by_code(code=agent)
                owner_id = owner.id if owner is not None else None
            if owner_id is None or item.owner_agent_id != owner_id:
                return False
            if item.status not in expected:
                return False
            check_transition(item.status, status)
            applied = await uow.work_items.change_status(
                StatusChange(
                    item_id=item_id,
                    expected=item.status,
                    status=status,
                    actor=f"agent {agent}",
                    at=now,
                    outcome=outcome,
                    disposition_code=disposition_code,
                    note=note,
                )
            )
            if not applied:
                return False
            await add_contact(
                uow,
                item,
                status=status,
                now=now,
                agent_id=owner_id,
                outcome=outcome,
                disposition_code=disposition_code,
            )
            await uow.commit()
        log.info("work item %d: %s by %s (%s)", item_id, status, agent, outcome or "-")
        if status == "done" and self._publish is not None:
            done = replace(
                item, status=status, owner_agent_id=owner_id,
                outcome=outcome or item.outcome,
                disposition_code=disposition_code or item.disposition_code,
            )  # fmt: skip
            self._publish(work_item_done_event(done, agent, now.timestamp()))
        return True
