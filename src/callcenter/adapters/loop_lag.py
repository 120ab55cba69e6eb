"""When did a request arrive, if the event loop only got to it late?

A connection (or a request's bytes) that comes while the loop is busy waits in the kernel until
the loop turns, and a deadline counted from the moment our code first sees it grants that wait a
second time. A heartbeat on each loop (every `BEAT_S`) tells how long the loop has been away:
when the last beat is overdue, or the last one came late, a request seen now may have been
waiting as long, and `arrival_time()` says so — admission control then sheds what can no longer be
answered in time instead of starting a lookup for it.
"""

from __future__ import annotations

import asyncio
import time
import weakref

BEAT_S = 0.010


class _Heartbeat:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.fired = time.monotonic()
        self.late = 0.0  # how late the last beat came: how long the loop had been away
        self.due = self.fired + BEAT_S
        self.handle = loop.call_later(BEAT_S, self._beat)

    def _beat(self) -> None:
        self.fired = time.monotonic()
        self.late = max(0.0, self.fired - self.due)
        self.due = self.fired + BEAT_S
        self.handle = self.loop.call_later(BEAT_S, self._beat)

    def arrival(self, now: float) -> float:
        if now > self.due:  # away now: since the next beat was due
            return self.due
        if now - self.fired < self.late:  # just back: what came meanwhile waited as long
            return now - self.late
        return now


_BEATS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Heartbeat] = (
    weakref.WeakKeyDictionary()
)


def arrival_time() -> float:
    """time.monotonic() of a request seen now: earlier by as long as the loop has been away
    (its heartbeat overdue). Call it first thing in the callback that sees the request."""
    now = time.monotonic()
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return now
    beat = _BEATS.get(loop)
    if beat is None or beat.loop.is_closed():
        _BEATS[loop] = _Heartbeat(loop)
        return now
    return beat.arrival(now)


def stop_heartbeat() -> None:
    """Stop the running loop's heartbeat (it starts again at the next arrival_time())."""
    beat = _BEATS.pop(asyncio.get_running_loop(), None)
    if beat is not None:
        beat.handle.cancel()
