"""The webhook pump in a process of its own: the server's loop only hands it events.

`PumpProcess` is the server's side of the `Pump` the webhook service drives: it keeps the buffer
the fact side appends to, ships it to the child every flush interval over a pipe (one pickled
list: microseconds), forwards commands (lead, follow, added, ...) and mirrors the child's figures
(`stats`, `enqueued`, delivery latencies) for /metrics. The child runs `WebhookPump` with its own
database engine and HTTP client at a lower CPU priority: outbox writes, HTTP posts and signatures
never run on the loop that turns rings into screen pops, nor hold its GIL.

The child starts with the first subscription (a center without subscribers runs none) and exits
the moment its pipe closes, so a killed server never leaves a deliverer behind; it is started
again when it died. Each call to it waits for its answer, so the figures seen after one are the
child's own.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import time
from collections import deque
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from callcenter.background import cancel_and_wait
from callcenter.domain.webhooks import Event
from callcenter.ports.webhooks import Subscription, WebhookOutbox
from callcenter.services.webhooks_delivery import DeliveryStats
from callcenter.webhooks_child import run_child

if TYPE_CHECKING:
    from callcenter.adapters.db.database import Database
    from callcenter.services.webhooks import WebhookService
    from callcenter.settings import Settings

log = logging.getLogger(__name__)

CALL_TIMEOUT_S = 30.0


def webhook_service(
    settings: Settings, db: Database, on_delivered: Callable[[float], None] | None = None
) -> WebhookService:
    """Signed webhook deliveries from the persisted outbox (start it, then `aclose()` it).

    The outbox writes and the deliveries run in a process of their own (webhooks_wiring.py):
    nothing of theirs runs between a ring and its pop."""
    from callcenter.adapters.db.repo_webhooks import SqlWebhookOutbox
    from callcenter.services.webhooks import WebhookService

    flush_interval_s, refresh_s = 0.2, 10.0
    outbox = SqlWebhookOutbox(db.sessions)
    pump = PumpProcess(
        config={
            "database_url": settings.database_url,
            "timeout_s": settings.webhook_timeout_s,
            "policy": {
                "base_s": settings.webhook_retry_base_s,
                "cap_s": settings.webhook_retry_cap_s,
                "max_attempts": settings.webhook_max_attempts,
            },
            "flush_interval_s": flush_interval_s,
            "refresh_s": refresh_s,
            "log_level": logging.getLevelName(logging.getLogger().getEffectiveLevel()),
        },
        outbox=outbox,
        flush_interval_s=flush_interval_s,
        refresh_s=refresh_s,
        on_delivered=on_delivered,
    )
    return WebhookService(
        outbox=outbox,
        buffer_size=settings.webhook_buffer,
        deliver=settings.webhook_deliver,
        pump=pump,
    )


class PumpProcess:
    """The server's side of the webhook pump process."""

    def __init__(
        self,
        *,
        config: dict[str, Any],
        outbox: WebhookOutbox,
        flush_interval_s: float,
        refresh_s: float,
        on_delivered: Callable[[float], None] | None = None,
    ) -> None:
        self._config = config  # what the child builds its pump from (see `_child`)
        self._outbox = outbox  # subscriptions, read here: no events are buffered without one
        self._flush_interval_s = flush_interval_s
        self._refresh_s = refresh_s
        self._on_delivered = on_delivered
        self.buffer: deque[Event] = deque()
        self.subs: dict[int, Subscription] = {}
        self.stats = DeliveryStats()
        self.enqueued = 0
        self.delivering = False
        self._conn: Connection | None = None
        self._proc: Any = None
        self._replies: dict[int, asyncio.Future[Any]] = {}
        self._calls = 0
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        try:
            self.subs = {s.id: s for s in await self._outbox.subscriptions()}
        except Exception as exc:  # database away: the refresh loads them later
            log.warning("webhook subscriptions not loaded yet: %r", exc)
        if self.subs:
            await self._spawn()
        self._task = asyncio.get_running_loop().create_task(self._ship_loop(), name="webhooks")

    async def lead(self) -> None:
        self.delivering = True
        await self._tell("lead")

    async def follow(self) -> None:
        self.delivering = False
        await self._tell("follow")

    async def _tell(self, name: str) -> None:
        """Lead or follow: a child that is gone learns it when it is started again."""
        if self._conn is None:
            return
        try:
            await self._call(name)
        except (ConnectionError, OSError, TimeoutError) as exc:
            log.error("webhook process did not %s: %r", name, exc)

    async def flush(self) -> int:
        self._ship()
        return int(await self._call("flush")) if self._conn is not None else 0

    async def added(self, sub: Subscription) -> None:
        self.subs[sub.id] = sub
        if self._conn is None:
            await self._spawn()  # it loads the subscription from the database itself
        else:
            await self._call("added", sub)

    async def remove(self, subscription_id: int) -> None:
        self.subs.pop(subscription_id, None)
        if self._conn is not None:
            await self._call("remove", subscription_id)

    async def replayed(self, subscription_ids: list[int]) -> None:
        if self._conn is not None:
            await self._call("replayed", subscription_ids)

    async def aclose(self) -> None:
        if self._task is not None:
            await cancel_and_wait(self._task)
            self._task = None
        if self._conn is None:
            return
        self._ship()
        try:
            await self._call("aclose")
        except Exception as exc:
            log.error(
                "webhook process did not close cleanly (%d buffered): %r", len(self.buffer), exc
            )
        self._lost()
        proc, self._proc = self._proc, None
        await asyncio.to_thread(proc.join, 10)
        if proc.is_alive():
            proc.kill()

    # -- the pipe -------------------------------------------------------------------------------

    async def _spawn(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=run_child, args=(child, self._config), name="webhooks")
        proc.daemon = True
        proc.start()
        child.close()
        self._conn, self._proc = parent, proc
        asyncio.get_running_loop().add_reader(parent.fileno(), self._readable)
        log.info("webhook process %d started", proc.pid)
        if self.delivering:
            await self._tell("lead")

    def _lost(self) -> None:
        """The pipe is closed (the child exited, or we close it)."""
        conn, self._conn = self._conn, None
        if conn is not None:
            asyncio.get_running_loop().remove_reader(conn.fileno())
            conn.close()
        for reply in self._replies.values():
            if not reply.done():
                reply.set_exception(ConnectionError("webhook process gone"))
        self._replies.clear()

    async def _ship_loop(self) -> None:
        refreshed = time.monotonic()
        while True:
            await asyncio.sleep(self._flush_interval_s)
            if time.monotonic() - refreshed > self._refresh_s:
                refreshed = time.monotonic()
                try:
                    self.subs = {s.id: s for s in await self._outbox.subscriptions()}
                except Exception as exc:
                    log.warning("webhook subscriptions not refreshed: %r", exc)
            if self._conn is None and self._proc is not None:
                log.error("webhook process %s exited (%s); starting another", self._proc.pid,
                          self._proc.exitcode)  # fmt: skip
                self._proc = None
            if self._conn is None and self.subs:
                try:
                    await self._spawn()
                except Exception as exc:
                    log.error("webhook process not started: %r", exc)
            self._ship()

    def _ship(self) -> None:
        """Everything buffered, to the child (kept here while it cannot take it)."""
        if not self.buffer or self._conn is None:
            return
        events = list(self.buffer)
        try:
            self._conn.send(("events", events))
        except OSError:
            self._lost()
            return
        for _ in events:
            self.buffer.popleft()

    async def _call(self, name: str, *args: Any) -> Any:
        if self._conn is None:
            raise ConnectionError("webhook process not running")
        self._calls += 1
        call_id = self._calls
        reply: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._replies[call_id] = reply
        try:
            try:
                self._conn.send(("call", call_id, name, args))
            except OSError:
                self._lost()
                raise
            async with asyncio.timeout(CALL_TIMEOUT_S):
                return await reply
        finally:
            self._replies.pop(call_id, None)

    def _readable(self) -> None:
        conn = self._conn
        if conn is None:
            return
        try:
            while conn.poll():
                self._received(conn.recv())
        except (EOFError, OSError):
            self._lost()

    def _received(self, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "stats":
            figures, latencies = message[1], message[2]
            self.stats.delivered, self.stats.failed = figures["delivered"], figures["failed"]
            self.stats.dead, self.stats.pending = figures["dead"], figures["pending"]
            self.enqueued = figures["enqueued"]
            for seconds in latencies if self._on_delivered is not None else ():
                self._on_delivered(seconds)  # type: ignore[misc]
            return
        reply = self._replies.get(message[1])
        if reply is None or reply.done():
            return
        if kind == "done":
            reply.set_result(message[2])
        else:
            reply.set_exception(RuntimeError(f"webhook process: {message[2]}"))
