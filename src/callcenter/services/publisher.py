"""A task that publishes at most once per interval: everything changed meanwhile goes in one."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from callcenter.background import cancel_and_wait

log = logging.getLogger(__name__)

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class CoalescedPublisher:
    """Calls `publish()` after `wake()`, never twice within `min_interval_s`; it also runs once
    per interval without a wake (`publish` decides whether anything is due, e.g. a new day)."""

    def __init__(
        self,
        publish: Callable[[], bool],
        *,
        name: str,
        min_interval_s: float = 1.0,
        clock: Clock = time.time,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._publish = publish
        self._name = name
        self._min_interval = min_interval_s
        self._clock = clock
        self._sleep = sleep
        self._changed = asyncio.Event()
        self._last_published: float | None = None
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """Something changed: publish soon."""
        self._changed.set()

    def published_now(self) -> None:
        """`publish` just sent something (the next one waits an interval)."""
        self._changed.clear()
        self._last_published = self._clock()

    def start(self) -> None:
        """Start the task."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name=self._name)

    async def aclose(self) -> None:
        """Stop the task."""
        if self._task is None:
            return
        await cancel_and_wait(self._task)
        self._task = None

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._min_interval):
                    await self._changed.wait()
            if self._last_published is not None:
                wait = self._last_published + self._min_interval - self._clock()
                if wait > 0:
                    await self._sleep(wait)  # coalesce: everything until then goes in one message
            try:
                self._publish()
            except Exception:
                log.exception("%s publish failed", self._name)
                await self._sleep(self._min_interval)
