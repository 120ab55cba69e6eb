"""An event loop of its own on a daemon thread, for background work that must not share a loop.

Webhook delivery (outbox reads and writes, HTTP posts, signing) runs here so that none of it sits
between a ring and its screen pop on the main loop. Whatever runs on this loop must only use
objects created for it (its own database engine, its own HTTP client).
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

# The GIL is handed to a waiting thread after this long; CPython's default is 5 ms, which a busy
# background thread could add to a pop. 1 ms bounds that at the cost of a few more switches.
SWITCH_INTERVAL_S = 0.001


class LoopThread:
    """`run(coro)` awaits a coroutine on the thread's loop; `soon(fn)` calls fn there."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def _start(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            loop = asyncio.new_event_loop()
            self._thread = threading.Thread(target=loop.run_forever, name=self._name, daemon=True)
            self._thread.start()
            self._loop = loop
            sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL_S))
        return self._loop

    async def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run `coro` on the thread's loop (started on first use) and await its result here."""
        future = asyncio.run_coroutine_threadsafe(coro, self._start())
        return await asyncio.wrap_future(future)

    def soon(self, fn: Callable[[], None]) -> None:
        """Call `fn` on the thread's loop, from any thread."""
        self._start().call_soon_threadsafe(fn)

    async def aclose(self) -> None:
        """Stop the loop once what it runs has been closed (call after the last `run`)."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        self._loop = self._thread = None

        async def drain() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await loop.shutdown_asyncgens()

        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(drain(), loop))
        loop.call_soon_threadsafe(loop.stop)
        await asyncio.to_thread(thread.join, 10)
        loop.close()
