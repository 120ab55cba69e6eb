"""While customer lookups fail or time out (a stalled or lost database), skip them.

Without this every hook request during a database stall waited its whole lookup budget (120 ms
of a 150 ms deadline) before answering the fallback: answers arrived with 30 ms to spare, and any
hiccup of the machine pushed them past the deadline. Once a lookup has failed, callers answer the
fallback at once; one lookup at a time goes on in the background, and the first that succeeds
lets the callers look customers up again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

# A background lookup gets this long; a stalled one is cancelled and the next call starts another.
PROBE_TIMEOUT_S = 2.0


class LookupBreaker:
    """Open from a failed lookup until a background lookup succeeds."""

    def __init__(self, probe_timeout_s: float = PROBE_TIMEOUT_S) -> None:
        self.probe_timeout_s = probe_timeout_s
        self.why: str | None = None  # what the last failed lookup said; None while lookups work
        self.skipped = 0  # lookups not started because the breaker was open
        self._probe: asyncio.Task[None] | None = None

    @property
    def is_open(self) -> bool:
        """True while lookups are known not to work."""
        return self.why is not None

    def failed(self, why: str) -> None:
        """A lookup failed or ran out of time: callers stop waiting for lookups."""
        if self.why is None:
            log.warning("customer lookups failing (%s): routing answers the fallback at once", why)
        self.why = why

    def succeeded(self) -> None:
        """A lookup worked: callers look customers up again."""
        if self.why is not None:
            log.warning("customer lookups work again: routing uses customer data")
        self.why = None

    def skip(self, lookup: Callable[[], Awaitable[object]]) -> None:
        """A caller answers without a lookup; `lookup` runs in the background unless one does."""
        self.skipped += 1
        if self._probe is None or self._probe.done():
            self._probe = asyncio.get_running_loop().create_task(self._try(lookup))

    async def _try(self, lookup: Callable[[], Awaitable[object]]) -> None:
        try:
            async with asyncio.timeout(self.probe_timeout_s):
                await lookup()
        except TimeoutError:
            self.failed(f"no answer in {self.probe_timeout_s:.1f} s")
        except Exception as exc:
            self.failed(type(exc).__name__)
        else:
            self.succeeded()

    async def aclose(self) -> None:
        """Stop a background lookup still going."""
        if self._probe is not None:
            self._probe.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._probe
            self._probe = None
