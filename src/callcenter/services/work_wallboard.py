"""The wallboard's work-item figures, re-read from the store every few seconds (and when an item
is filed or closed, at most once per `min_gap_s`: a burst of mail is one re-read, not one per
mail), merged into each group of the wallboard snapshot."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from callcenter.domain.work_figures import work_figures
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
        interval_s: float = 2.0,
        min_gap_s: float = 0.5,
        on_change: Callable[[], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._uow = uow
        self._tz = ZoneInfo(timezone)
        self._interval_s = interval_s
        self._min_gap_s = min_gap_s  # a burst of filings costs one re-read per gap, not one each
        self.on_change = on_change
        self._clock = clock
        self.figures: dict[str, dict[str, Any]] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def for_group(self, slug: str) -> dict[str, Any]:
        """The group's figures (zeros when it has no items)."""
        return dict(self.figures.get(slug, EMPTY))

    def nudge(self) -> None:
        """Something was filed or closed: re-read soon."""
        self._wake.set()

    async def refresh(self) -> None:
        """Re-read the items and recompute; publish when anything changed."""
        now = datetime.fromtimestamp(self._clock(), self._tz)
        day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
        async with self._uow() as uow:
            tallies = await uow.work_items.tallies(closed_since=day_start, now=now)
        fresh = work_figures(tallies, now=now, day_start=day_start)
        if fresh != self.figures:
            self.figures = fresh
            if self.on_change is not None:
                self.on_change()

    def start(self) -> None:
        """Start the refresh loop."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="work-board")

    async def aclose(self) -> None:
        """Stop the refresh loop."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self.refresh()
            except Exception as exc:  # the database away: the last figures stay, retried
                log.warning("work wallboard figures not refreshed: %r", exc)
            await asyncio.sleep(self._min_gap_s)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(0.0, self._interval_s - self._min_gap_s)):
                    await self._wake.wait()
            self._wake.clear()
