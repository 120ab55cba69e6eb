"""Callbacks owed by finished calls, filed as work items exactly once per call.

The call recorder hands over each finished call with its matched customer. A caller withdrawn
from the queue for a callback (keep my place: QueueWithdrawCaller or pressing 1 while waiting), a
caller the queue timed out whom the dialplan then promised a callback, and, when configured, a
known caller who abandoned after a long wait become a `callback` item (source `queue`) in the
group of the queue they left, due as of when they first entered a queue, with the priority they
had there; the existing offering loop and callback dialler take it from there. The call's
reference is the item's unique key: a replayed or duplicated end of the same call never files a
second item. A caller who already has an open callback in that group gets no second one: the call
is noted on it ("called again").

A later call of the same customer that an agent answered makes a waiting item pointless: it is
cancelled (outcome `no_longer_needed`, the call named in its change log) when that call ends.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from callcenter.background import cancel_and_wait
from callcenter.domain.calls.facts import CallEnded
from callcenter.domain.calls.records import CallRecord
from callcenter.domain.queue_callbacks import (
    TIMED_OUT,
    WITHDRAWN,
    AbandonRule,
    OwedCallback,
    call_ref,
    may_owe,
    owed_callback,
    reaching_call,
)
from callcenter.domain.work_items import Sender, WorkEvent, WorkItem
from callcenter.ports.uow import UowFactory
from callcenter.ports.work_items import StatusChange
from callcenter.services.errors import DuplicateKey
from callcenter.services.work_history import add_contact
from callcenter.services.work_matching import match_sender
from callcenter.services.work_requests import Intake

log = logging.getLogger(__name__)

NO_LONGER_NEEDED = "no_longer_needed"
CATCH_UP_H = 24.0  # at start-up, calls ended this recently that owe an item get it


class QueueCallbacks:
    """Turns finished calls into the callback items they are owed."""

    def __init__(
        self,
        *,
        uow: UowFactory,
        file: Callable[[Intake, str, datetime], Coroutine[Any, Any, WorkItem]],
        groups: tuple[str, ...],
        rule: AbandonRule | None = None,
        region: str = "CN",
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        keep: int = 10_000,
    ) -> None:
        self._uow = uow
        self._file = file  # WorkItemService.submit, as (intake, actor, now)
        self._groups = groups
        self.rule = rule or AbandonRule()
        self._region = region
        self._clock = clock
        self._keep = keep
        self._seen: OrderedDict[str, None] = OrderedDict()  # calls handled by this process
        self._tasks: set[asyncio.Task[None]] = set()
        self._answered: list[tuple[CallRecord, asyncio.Future[None]]] = []  # waiting for a check
        self._reaching: asyncio.Task[None] | None = None  # the check running now
        self.on_cancelled: Callable[[int], Awaitable[None]] | None = None  # offering forgets it
        self.retry_s: tuple[float, ...] = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)

    def on_recorded(self, fact: CallEnded, record: CallRecord) -> None:
        """A finished call, enriched with its customer: file what it is owed, in the background."""
        if record.direction != "inbound":
            return
        reached = record.outcome == "answered" and record.caller is not None
        ref = call_ref(record.pbx, record.linkedid)
        if not may_owe(record, self.rule) or ref in self._seen:  # seen: a duplicated end
            if reached:
                self._spawn(self._reached(record))
            return
        self._seen[ref] = None
        while len(self._seen) > self._keep:
            self._seen.popitem(last=False)
        self._spawn(self._settle(record, fact.queued_at, reached=reached))

    async def catch_up(self, *, hours: float = CATCH_UP_H) -> int:
        """File what stored calls of the last `hours` are owed and no item names (a crash or a
        database outage between a call's end and its item); how many were filed."""
        outcomes = ["callback_requested", "timeout", *(["abandoned"] if self.rule.enabled else [])]
        since = self._clock() - timedelta(hours=hours)
        async with self._uow() as uow:
            calls = await uow.calls.without_callback(outcomes=outcomes, ended_since=since)
        filed = 0
        for record in calls:
            self._seen[call_ref(record.pbx, record.linkedid)] = None
            filed += await self.file_owed(record, None) is not None  # placed by its wait
        if filed:
            log.warning("filed %d callbacks owed by stored calls that had none", filed)
        return filed

    async def file_owed(self, record: CallRecord, queued_at: float | None) -> WorkItem | None:
        """The item this call is owed, filed now; None if it is owed none or has one already."""
        rule = self.rule
        if (
            record.outcome == "abandoned"
            and rule.enabled
            and record.wait_s > rule.min_wait_s
            and record.customer_id is None
            and record.caller
        ):  # the call matched nobody (no pop, no hook): does a customer own the number?
            record = await self._with_customer(record)
        owed = owed_callback(record, self.rule, queued_at)
        if owed is None:
            return None
        async with self._uow() as uow:
            if await uow.work_items.by_call_ref(call_ref=owed.call_ref) is not None:
                log.info("call %s: its callback is filed already", owed.call_ref)
                return None
            groups = {g.queue: g.slug for g in await uow.groups.list_all()}
            group = groups.get(owed.queue, owed.queue)
            if owed.caller is not None and (
                known := await uow.work_items.open_callback(caller=owed.caller, group_slug=group)
            ):  # one callback per caller and group: it keeps the earlier place
                note = f"called again: call {owed.call_ref} {owed.why} after {owed.waited_s:.0f} s"
                logged = await uow.work_items.events(item_id=known.id)
                if not any(owed.call_ref in (e.note or "") for e in logged):
                    await uow.work_items.add_event(
                        item_id=known.id, event=WorkEvent("note", "queue", self._clock(), note=note)
                    )
                    await uow.commit()
                    log.info("callback %d: %s", known.id, note)
                return None
        try:
            item = await self._file(self._intake(owed, group), "queue", self._clock())
        except DuplicateKey:  # another process (or a replay) filed it a moment ago
            log.info("call %s: its callback is filed already", owed.call_ref)
            return None
        log.info(
            "callback %d for %s (%s after %.0f s in %s), placed as of %s",
            item.id,
            owed.caller or "a withheld caller",
            owed.why,
            owed.waited_s,
            owed.queue,
            owed.placed_at.isoformat(),
        )
        return item

    async def aclose(self) -> None:
        """Wait a little for items being filed; one still failing is left to `catch_up`."""
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=5)
        for task in [*self._tasks, self._reaching]:
            await cancel_and_wait(task)

    # -- internals -----------------------------------------------------------------------------

    async def _settle(self, record: CallRecord, queued_at: float | None, *, reached: bool) -> None:
        """A call an agent had that then asked for a callback: its older callbacks are done with
        first (they got through), so that the new one is not noted on an item being cancelled."""
        if reached:
            await self._reached(record)
        await self._file_until_stored(record, queued_at)

    async def _file_until_stored(self, record: CallRecord, queued_at: float | None) -> None:
        """File the item; while the database is away, again after each of `retry_s`."""
        for delay in (*self.retry_s, None):
            try:
                await self.file_owed(record, queued_at)
                return
            except Exception as exc:
                ref = call_ref(record.pbx, record.linkedid)
                if delay is None:
                    log.error("call %s: its callback was not filed: %r", ref, exc)
                    return  # the next start's catch_up files it from the stored call
                log.warning("call %s: callback not filed (%r), again in %.0f s", ref, exc, delay)
                await asyncio.sleep(delay)

    def _intake(self, owed: OwedCallback, group: str) -> Intake:
        who = owed.caller or "a withheld caller"
        if owed.why == WITHDRAWN:
            subject = f"Call back {who} (kept their place in {owed.queue})"
            body = f"withdrawn from {owed.queue} for a callback after {owed.waited_s:.0f} s"
        elif owed.why == TIMED_OUT:
            subject = f"Call back {who} (promised when {owed.queue} timed out)"
            body = f"timed out of {owed.queue} after {owed.waited_s:.0f} s, told we will call back"
        else:
            subject = f"Call back {who} (hung up waiting in {owed.queue})"
            body = f"abandoned {owed.queue} after {owed.waited_s:.0f} s"
        return Intake(
            kind="callback",
            subject=subject,
            body=f"{body}; in the queue since {owed.placed_at.isoformat()}; call {owed.call_ref}",
            sender=Sender(phone=owed.caller),
            source="queue",
            group=group if group in self._groups else None,
            triage=owed.triage,
            priority=owed.priority,
            since=owed.placed_at,
            call_ref=owed.call_ref,
            customer_id=owed.customer_id,
        )

    async def _with_customer(self, record: CallRecord) -> CallRecord:
        """The record with the one customer owning its number, when the call matched none."""
        async with self._uow() as uow:
            match = await match_sender(
                uow.work_items, uow.phones, Sender(phone=record.caller), self._region
            )
        return replace(record, customer_id=match.customer_id)

    async def _reached(self, record: CallRecord) -> None:
        """An answered call: the customer's waiting queue callbacks are no longer needed.
        Calls answered while a check runs are checked together next (one transaction)."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._answered.append((record, done))
        if self._reaching is None or self._reaching.done():
            self._reaching = asyncio.create_task(self._reach_all())
        await done

    async def _reach_all(self) -> None:
        while self._answered:
            batch, self._answered = self._answered, []
            try:
                await self._cancel_reached([record for record, _ in batch])
            except Exception as exc:
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
            else:
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)

    async def _cancel_reached(self, answered: list[CallRecord]) -> None:
        now = self._clock()
        closed: list[tuple[int, str]] = []
        async with self._uow() as uow:
            waiting = await uow.work_items.owed_waiting(
                callers={r.caller for r in answered if r.caller},
                customer_ids={r.customer_id for r in answered if r.customer_id is not None},
                before=max(r.started_at for r in answered),
            )
            for item in waiting:
                call = reaching_call(item.caller, item.customer_id, item.created_at, answered)
                if call is None:
                    continue
                note = f"no longer needed: call {call_ref(call.pbx, call.linkedid)} was answered"
                change = StatusChange(
                    item.id, "new", "cancelled", "queue callbacks", now,
                    outcome=NO_LONGER_NEEDED, note=note,
                )  # fmt: skip
                if await uow.work_items.change_status(change):
                    await add_contact(uow, item, status="cancelled", now=now, agent_id=None,
                                      outcome=NO_LONGER_NEEDED, settled=False)  # fmt: skip
                    closed.append((item.id, note))
            await uow.commit()
        for item_id, note in closed:
            log.info("callback %d: %s", item_id, note)
            if self.on_cancelled is not None:
                await self.on_cancelled(item_id)

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(self._logged(coro))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _logged(self, coro: Coroutine[Any, Any, Any]) -> None:
        try:
            await coro
        except Exception:
            log.exception("queue callbacks: a finished call was not handled")
