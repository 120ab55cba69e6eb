"""Transferring a work item to another group: the agent it is offered to or held by, or a
supervisor, sends it on; it waits again in the new group with the due time of that group's rule,
the move is logged, and the offering loop (when it runs here) withdraws the old agent's offer."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from callcenter.domain.routing.rules import RoutingRules
from callcenter.domain.work_items import IllegalTransition, WorkItem
from callcenter.domain.work_transfer import check_transfer, may_transfer, transfer_due
from callcenter.ports.push import Notifier, WorkUpdate
from callcenter.ports.uow import UowFactory
from callcenter.ports.work_offers import Moved, WorkOfferStore
from callcenter.ports.work_transfers import Transfer, WorkTransferStore
from callcenter.services.errors import Conflict, Forbidden, InvalidField, NotFound

log = logging.getLogger(__name__)


class Requeue(Protocol):
    """The offering loop: runs a move while no offering pass runs, then offers the item anew."""

    async def requeue(self, move: Callable[[], Awaitable[Moved]]) -> Moved: ...


@dataclass(frozen=True)
class TransferRequest:
    """Who sends which item where, and why."""

    item_id: int
    group: str
    note: str | None
    actor: str  # for the item's log
    manager: bool
    agent_code: str | None


class WorkTransfers:
    """Each transfer is one compare-and-set transaction."""

    def __init__(
        self,
        *,
        uow: UowFactory,
        items: WorkOfferStore,
        store: WorkTransferStore,
        rules: Callable[[], RoutingRules],
        notifier: Notifier | None = None,
    ) -> None:
        self._uow = uow
        self._items = items
        self._store = store
        self._rules = rules  # the rule book as it is now (it may be reloaded)
        self._notifier = notifier  # the old holder's desktop hears the item went
        self.offers: Requeue | None = None  # set when this process runs the offering loop
        # told the moved item's id: the wallboard's work figures, the change feed (other processes)
        self.moved_hooks: list[Callable[[list[int]], None]] = []

    async def transfer(self, ask: TransferRequest, *, now: datetime) -> WorkItem:
        """Send the item on (InvalidField: unknown or same group; NotFound; Forbidden: not the
        caller's; Conflict: closed, being dialled, or changed meanwhile)."""
        rules = self._rules()
        if ask.group not in rules.groups:
            known = ", ".join(rules.groups)
            raise InvalidField(("group",), f"unknown group {ask.group!r}; known: {known}")

        async def move() -> Moved:
            return await self._move(ask, rules, now)

        if self.offers is not None:
            _, holder = await self.offers.requeue(move)
        else:
            _, holder = await move()
        if holder is not None and self._notifier is not None:
            update = WorkUpdate(ask.item_id, "transferred", group=ask.group)
            self._notifier.work_update(holder, update)
        for hook in self.moved_hooks:
            hook([ask.item_id])
        log.info("work item %d transferred to %s by %s", ask.item_id, ask.group, ask.actor)
        async with self._uow() as uow:
            item = await uow.work_items.get(item_id=ask.item_id)
        assert item is not None
        return item

    async def _move(self, ask: TransferRequest, rules: RoutingRules, now: datetime) -> Moved:
        entry = await self._items.get(ask.item_id)
        if entry is None:
            raise NotFound(f"no work item {ask.item_id}")
        if not may_transfer(manager=ask.manager, agent_code=ask.agent_code, holder=entry.agent):
            raise Forbidden(f"work item {ask.item_id} is not offered to or held by you")
        try:
            check_transfer(kind=entry.kind, status=entry.status)
        except IllegalTransition as exc:
            raise Conflict(str(exc)) from exc
        if entry.group == ask.group:
            raise InvalidField(("group",), f"the item is already in group {ask.group}")
        due = transfer_due(
            kind=entry.kind, received=entry.created_at, to_group=ask.group, rules=rules
        )
        moved = Transfer(
            item_id=ask.item_id,
            expected_status=entry.status,
            expected_group=entry.group,
            expected_holder=entry.agent,
            group=ask.group,
            due_at=due,
            actor=ask.actor,
            at=now,
            note=ask.note,
        )
        if not await self._store.transfer(moved):
            raise Conflict(f"work item {ask.item_id} changed meanwhile; reload it")
        after = await self._items.get(ask.item_id)
        assert after is not None
        return after, entry.agent
