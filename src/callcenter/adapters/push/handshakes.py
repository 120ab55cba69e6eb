"""Websocket handshakes taken a few at a time, so a reconnect storm cannot stall the loop.

After a restart or a network blip every desktop of the floor reconnects within a second or two.
Each handshake is about half a millisecond of the process's CPU spread over several loop turns
(accept, hello, token check, subscription). Left alone, hundreds of them advance in lockstep: every
loop turn runs a step of each, a turn lasts tens of milliseconds, and a dialplan hook request that
needs a few turns answers past its deadline. `HandshakeGate` lets at most `limit` handshakes do
their work at once; the others wait their turn without costing anything, so a loop turn holds a
few handshake steps beside the hook's. Callers never hold a turn while waiting on the client (the
desktop's hello is awaited outside it): silent sockets cannot block the desktops behind them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class HandshakeGate:
    """At most `limit` handshakes at work at once; the rest queue in arrival order.

    `busy` and `waiting` are the current counts, `peak` the most ever busy at once.
    """

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("a handshake gate needs at least one slot")
        self.limit = limit
        self._slots = asyncio.Semaphore(limit)
        self.busy = 0
        self.waiting = 0
        self.peak = 0

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Hold a slot for the block: free at once when one is free, else after those before."""
        self.waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self.waiting -= 1
        self.busy += 1
        self.peak = max(self.peak, self.busy)
        try:
            yield
        finally:
            self.busy -= 1
            self._slots.release()
