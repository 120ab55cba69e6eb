"""New HTTP connections start reading a few per turn of the event loop.

A reconnect storm lands hundreds of connections on the listening socket at once. Each one's first
bytes (an HTTP upgrade to a websocket: parsed, answered 101, a websocket protocol built) are a
quarter of a handshake's cost, and the loop would read them all in the same turn: a turn of
tens of milliseconds, while a dialplan hook session waits for its next step. `TurnIntake` lets
`per_turn` new connections read in a turn; the others are paused (their bytes wait in the kernel)
and resumed `per_turn` a turn, in arrival order. The handshakes that follow are paced in turn by
`adapters/push/handshakes.py`. Idle time is not spent: with no storm, nothing waits.
"""

from __future__ import annotations

import asyncio
from collections import deque


class TurnIntake:
    """At most `per_turn` new connections begin reading per loop turn; the rest wait, paused."""

    def __init__(self, per_turn: int) -> None:
        if per_turn < 1:
            raise ValueError("at least one new connection must be read per turn")
        self.per_turn = per_turn
        self.deferred = 0  # connections that waited at least one turn
        self._taken = 0
        self._waiting: deque[asyncio.Transport] = deque()
        self._next: asyncio.Handle | None = None

    @property
    def waiting(self) -> int:
        """Connections paused now, waiting for their turn."""
        return len(self._waiting)

    def arrived(self, transport: asyncio.Transport) -> None:
        """A connection was accepted: let it read now, or pause it until a later turn."""
        if self._taken < self.per_turn and not self._waiting:
            self._taken += 1
        else:
            transport.pause_reading()
            self._waiting.append(transport)
            self.deferred += 1
        self._schedule()

    def _schedule(self) -> None:
        if self._next is None:
            self._next = asyncio.get_running_loop().call_soon(self._turn)

    def _turn(self) -> None:
        """The next turn: a fresh count, and the first waiting connections may read."""
        self._next = None
        self._taken = 0
        while self._waiting and self._taken < self.per_turn:
            transport = self._waiting.popleft()
            if transport.is_closing():
                continue
            try:
                transport.resume_reading()
            except RuntimeError:  # closed meanwhile
                continue
            self._taken += 1
        if self._taken or self._waiting:
            self._schedule()
