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
from collections import deque

BEAT_S = 0.010
# The last beats' lateness kept: `recent_lag` is the second longest of them, so that a run of
# long turns (a reconnect storm) counts and a single stall (a collector pass) does not.
RECENT_BEATS = 5


class _Heartbeat:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.fired = time.monotonic()
        self.late = 0.0  # how late the last beat came: how long the loop had been away
        self.recent: deque[float] = deque([0.0] * RECENT_BEATS, maxlen=RECENT_BEATS)
        self.due = self.fired + BEAT_S
        self.handle = loop.call_later(BEAT_S, self._beat)

    def _beat(self) -> None:
        self.fired = time.monotonic()
        self.late = max(0.0, self.fired - self.due)
        self.recent.append(self.late)
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


def recent_lag() -> float:
    """Seconds: how long the running loop's turns have lately been (the second longest absence
    of the last RECENT_BEATS beats: a run of long turns, not one stall). A reply about to be
    sent waits about that long per turn it needs. 0.0 without a heartbeat or a running loop."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return 0.0
    beat = _BEATS.get(loop)
    if beat is None:
        return 0.0
    return sorted(beat.recent)[-2]


def stop_heartbeat() -> None:
    """Stop the running loop's heartbeat (it starts again at the next arrival_time())."""
    beat = _BEATS.pop(asyncio.get_running_loop(), None)
    if beat is not None:
        beat.handle.cancel()
