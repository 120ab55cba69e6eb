"""Out-of-hours callers become callback work items for the group that calls them back."""

from __future__ import annotations

import logging
from datetime import datetime

from callcenter.ports.uow import UowFactory

log = logging.getLogger(__name__)


class WorkItemCallbacks:
    """The router's CallbackSink: one open `callback` work item per caller told "we call back"."""

    def __init__(self, *, uow: UowFactory) -> None:
        self._uow = uow

    async def request_callback(
        self, *, group: str, caller: str | None, did: str | None, reason: str, at: datetime
    ) -> None:
        """Store the work item (its note says why, and which number the caller dialled)."""
        note = reason if did is None else f"{reason}; dialled {did}"
        async with self._uow() as uow:
            item = await uow.work_items.add(
                kind="callback", group_slug=group, caller=caller, note=note, now=at
            )
            await uow.commit()
        log.info("callback %d for %s queued for %s", item, caller or "a withheld caller", group)

    async def promise(
        self,
        *,
        group: str,
        customer_id: int | None,
        caller: str | None,
        due_at: datetime,
        note: str,
        at: datetime,
    ) -> int:
        """A callback an agent promised a customer for `due_at` (the disposition form); its id."""
        async with self._uow() as uow:
            item = await uow.work_items.add(
                kind="callback",
                group_slug=group,
                customer_id=customer_id,
                caller=caller,
                due_at=due_at,
                note=note,
                now=at,
            )
            await uow.commit()
        log.info("callback %d promised to %s for %s", item, caller or customer_id, due_at)
        return item
