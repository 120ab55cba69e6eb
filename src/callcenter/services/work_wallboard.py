"""The wallboard's work-item figures per group, merged into each group of the wallboard snapshot.

The tallies are read from the store when something changed (`nudge`: an item closed or moved
here, another process's change, the feed's sweep or a resync; at most once per `min_gap_s`, so
a burst is one read), when a waiting item's due time passes (it turns overdue) and when the day
turns. Items filed in this process are counted in memory without a read; ages are recomputed
from the tallies held every `tick_s`: no periodic re-read of the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from callcenter.background import cancel_and_wait
from callcenter.domain.work_figures import WorkTally, work_figures
from callcenter.domain.work_items import FINAL_STATUSES, WorkItem
from callcenter.ports.uow import UowFactory

log = logging.getLogger(__name__)

EMPTY: dict[str, Any] = {
    "items_open": 0,
    "items_overdue": 0,
    "oldest_age_s": None,
    "done_today": 0,
    "sla_pct": None,
    "callbacks_due": 0,
    "callbacks_made": 0,
}


class WorkWallboard:
    """Holds the latest figures per group; `on_change` tells the wallboard to publish."""

    def __init__(
        self,
        *,
        uow: UowFactory,
        timezone: str,
        tick_s: float = 2.0,
        min_gap_s: float = 0.5,
        on_change: Callable[[], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._uow = uow
        self._tz = ZoneInfo(timezone)
        self._tick_s = tick_s
        self._min_gap_s = min_gap_s  # a burst of changes costs one read per gap, not one each
        self.on_change = on_change
        self._clock = clock
        self.figures: dict[str, dict[str, Any]] = {}
        self._tallies: list[WorkTally] = []
        self._day_start: datetime | None = None
        self._turns = float("inf")  # when a waiting item turns overdue: read again then
        self._dirty = True  # read the store on the next round
        self.reads = 0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def for_group(self, slug: str) -> dict[str, Any]:
        """The group's figures (zeros when it has no items)."""
        return dict(self.figures.get(slug, EMPTY))

    def nudge(self) -> None:
        """Something changed that memory cannot follow (a close, a move, elsewhere): read soon."""
        self._dirty = True
        self._wake.set()

    def filed(self, items: list[WorkItem]) -> None:
        """Items filed in this process: counted at once, in memory."""
        for item in items:
            if item.status in FINAL_STATUSES:
                continue
            self._tallies.append(
                WorkTally(
                    item.group_slug, item.kind, item.status, item.created_at, item.due_at, None
                )
            )
            if item.due_at is not None and item.due_at.timestamp() > self._clock():
                self._turns = min(self._turns, item.due_at.timestamp())
        self._wake.set()

    async def refresh(self) -> None:
        """Read the tallies from the store and recompute; publish when anything changed."""
        self._dirty = False
        now = datetime.fromtimestamp(self._clock(), self._tz)
        day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
        try:
            async with self._uow() as uow:
                tallies = await uow.work_items.tallies(closed_since=day_start, now=now)
        except BaseException:
            self._dirty = True  # the database away: read again on the next round
            raise
        self._tallies, self._day_start = tallies, day_start
        self.reads += 1
        ahead = [
            t.due_at.timestamp()
            for t in tallies
            if t.status not in FINAL_STATUSES and t.due_at is not None and t.due_at > now
        ]
        self._turns = min(ahead, default=float("inf"))
        self.recompute()

    def recompute(self) -> None:
        """The figures from the tallies held (ages grow); publish when anything changed."""
        now = datetime.fromtimestamp(self._clock(), self._tz)
        day_start = self._day_start or now.replace(hour=0, minute=0, second=0, microsecond=0)
        fresh = work_figures(self._tallies, now=now, day_start=day_start)
        if fresh != self.figures:
            self.figures = fresh
            if self.on_change is not None:
                self.on_change()

    def start(self) -> None:
        """Start the loop."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="work-board")

    async def aclose(self) -> None:
        """Stop the loop."""
        if self._task is not None:
            await cancel_and_wait(self._task)
            self._task = None

    def _must_read(self) -> bool:
        now = self._clock()
        today = datetime.fromtimestamp(now, self._tz).date()
        new_day = self._day_start is not None and self._day_start.date() != today
        return self._dirty or now >= self._turns or new_day

    async def _run(self) -> None:
        while True:
            self._wake.clear()  # what is told from here on wakes the next round
            try:
                if self._must_read():
                    await self.refresh()
                else:
                    self.recompute()
            except Exception as exc:  # the database away: the last figures stay, retried
                log.warning("work wallboard figures not refreshed: %r", exc)
            await asyncio.sleep(self._min_gap_s)  # a burst is one round per gap
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(0.0, self._tick_s - self._min_gap_s)):
                    await self._wake.wait()
