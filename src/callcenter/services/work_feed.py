"""Which work items changed, for the offering loop and the wallboard (no full re-reads here).

- This process's own writes are told at once (`wrote`): published on the bus as one small
  `work` message per burst, and remembered so the poll below does not report them back.
- Other processes' writes arrive as those messages (`heard`). Without a bus, or while it is
  down, a cheap incremental poll asks the store for the ids changed since the last poll
  (`updated_at > since`, indexed) and reports those this process did not write itself.
- A slow sweep (every `sweep_s`) reports every id changed since the last sweep, own writes
  included: a safety net, still incremental.
- After the bus was away (`reconnected`) nobody knows what was missed: the listeners re-read
  everything once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Collection, Iterable
from datetime import UTC, datetime

from callcenter.background import cancel_and_wait
from callcenter.ports.work_offers import ChangedItems

log = logging.getLogger(__name__)

Changed = Callable[[Collection[int]], None]


class WorkFeed:
    """The change feed of work items of one process; `start()`, `aclose()`."""

    def __init__(
        self,
        *,
        store: ChangedItems,
        publish: Callable[[list[int]], Awaitable[bool]] | None = None,
        bus_up: Callable[[], bool] | None = None,
        poll_s: float = 1.0,
        sweep_s: float = 600.0,
        margin_s: float = 5.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._publish = publish  # None: no bus configured, the poll runs all the time
        self._bus_up = bus_up or (lambda: publish is not None)
        self.poll_s, self.sweep_s = poll_s, sweep_s
        self._margin_s = margin_s  # commits landing late, clocks of other hosts a little off
        self._clock = clock
        self.listeners: list[Changed] = []  # told the ids others changed (or the sweep found)
        self.resyncs: list[Callable[[], None]] = []  # told to re-read everything
        self.polled: list[Callable[[], None]] = []  # after each poll (other small state to read)
        self._own: dict[int, float] = {}  # item id -> when this process last wrote it
        self._outbox: set[int] = set()
        self._flush: asyncio.Task[None] | None = None
        self._task: asyncio.Task[None] | None = None
        self._polled_at = self._swept_at = clock()
        self.polls = self.sweeps = self.published = self.heard_ids = 0

    @property
    def polling(self) -> bool:
        """Whether other processes' writes are found by polling now (no bus, or it is down)."""
        return self._publish is None or not self._bus_up()

    def wrote(self, ids: Iterable[int]) -> None:
        """Items this process has just written (committed): tell the other processes."""
        now = self._clock()
        for item_id in ids:
            self._own[item_id] = now
            if self._publish is not None:
                self._outbox.add(item_id)
        if self._outbox and (self._flush is None or self._flush.done()):
            with contextlib.suppress(RuntimeError):  # no running loop: nobody to tell
                self._flush = asyncio.get_running_loop().create_task(self._send())

    def heard(self, ids: Collection[int]) -> None:
        """Another process changed these items (its `work` message on the bus)."""
        self.heard_ids += len(ids)
        self._tell(ids)

    def reconnected(self) -> None:
        """The bus is back: messages may have been missed, every listener re-reads once."""
        log.info("work feed: bus back, the open work items are read again")
        for resync in self.resyncs:
            resync()

    def start(self) -> None:
        """Start polling / sweeping in the background."""
        self._polled_at = self._swept_at = self._clock()
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="work-feed")

    async def aclose(self) -> None:
        """Stop the loop (a message being sent is sent first)."""
        for task in (self._task, self._flush):
            if task is not None and not task.done():
                await cancel_and_wait(task)
        self._task = None

    async def poll(self) -> list[int]:
        """The ids other processes changed since the last poll (also told to the listeners)."""
        started = self._clock()
        since = self._polled_at - self._margin_s
        ids = await self._store.changed_since(_at(since))
        self._polled_at, self.polls = started, self.polls + 1
        self._own = {i: t for i, t in self._own.items() if t >= since}
        theirs = [i for i in ids if i not in self._own]
        self._tell(theirs)
        for hook in self.polled:
            hook()
        return theirs

    async def sweep(self) -> list[int]:
        """Every id changed since the last sweep, own writes included (the safety net)."""
        started = self._clock()
        ids = await self._store.changed_since(_at(self._swept_at - self._margin_s))
        self._swept_at, self.sweeps = started, self.sweeps + 1
        self._tell(ids)
        return ids

    def _tell(self, ids: Collection[int]) -> None:
        if not ids:
            return
        for listener in self.listeners:
            try:
                listener(ids)
            except Exception:
                log.exception("work feed: a listener failed")

    async def _send(self) -> None:
        await asyncio.sleep(0)  # one message for what this turn of the loop wrote
        ids, self._outbox = sorted(self._outbox), set()
        if ids and self._publish is not None and await self._publish(ids):
            self.published += 1

    async def _run(self) -> None:
        while True:
            # every poll_s: polls while there is no bus (or it is down), else only looks
            due = min(self._swept_at + self.sweep_s, self._polled_at + self.poll_s)
            await asyncio.sleep(max(0.05, due - self._clock()))
            try:
                if self._clock() >= self._swept_at + self.sweep_s:
                    self._polled_at = self._clock()  # the sweep covers what a poll would
                    await self.sweep()
                elif self.polling:
                    await self.poll()
                else:
                    self._polled_at = self._clock()  # the bus tells: nothing to poll for
            except Exception as exc:  # the database away: try again on the next round
                log.warning("work feed: changes not read: %r", exc)


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)
