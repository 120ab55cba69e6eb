"""One subscriber of one push channel: its bounded queue, replayed backlog and close reason."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from types import TracebackType
from typing import Final


class _Close:
    """The close marker put on a subscriber's queue."""


_CLOSE: Final = _Close()


class Subscription:
    """One listener on one channel: iterate it for message texts until the hub ends it.

    A websocket route is then just: `with hub.subscribe(...) as sub: async for text in sub:
    await ws.send_text(text)`, and afterwards `close_code(sub.close_reason)` says how to close.
    """

    def __init__(
        self,
        on_close: Callable[[Subscription, str], None],
        channel: str,
        key: int,
        queue_size: int,
        replay: list[str],
        token_id: int | None,
    ) -> None:
        self.channel = channel
        self.token_id = token_id
        self.close_reason: str | None = None
        self._on_close = on_close  # the hub forgets it, then calls end()
        self.key = key
        self._replay = deque(replay)
        self._queue: asyncio.Queue[str | _Close] = asyncio.Queue(maxsize=queue_size)

    @property
    def closed(self) -> bool:
        """True once the hub or the owner ended this subscription."""
        return self.close_reason is not None

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> str:
        if self._replay:
            return self._replay.popleft()
        item = await self._queue.get()
        if isinstance(item, _Close):
            self._queue.put_nowait(item)  # later reads end too
            raise StopAsyncIteration
        return item

    def __enter__(self) -> Subscription:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop listening (the websocket went away); safe to call more than once."""
        self._on_close(self, "closed")

    def offer(self, text: str) -> bool:
        """Queue a message without waiting; False when the queue is full."""
        try:
            self._queue.put_nowait(text)
        except asyncio.QueueFull:
            return False
        return True

    def end(self, reason: str) -> None:
        """Drop what is unsent and wake the reader with the close marker."""
        self.close_reason = reason
        self._replay.clear()
        while not self._queue.empty():
            self._queue.get_nowait()
        self._queue.put_nowait(_CLOSE)
