"""Live AMI connection: panoramisk lifecycle, reconnect with backoff, resync, one ordered queue.

The queue between the socket and the call tracker is bounded, and nothing in it is ever
dropped: once `max_queue` events wait, the listener stops reading the socket
(`transport.pause_reading()`), so Asterisk's further events wait in the kernel's TCP buffers and
then in Asterisk's own queue for this session; reading resumes when the consumer has brought the
queue down to half. The queue can exceed `max_queue` only by the frames of the one read already
under way (at most one transport read, 256 KiB). If Asterisk gives up on a session that stays
blocked (its `writetimeout`), the listener reconnects and resyncs, as after any lost
connection. `read_pauses` and `peak_depth` say how often and how far it came to that.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from callcenter.adapters.ami.session import LossAwareManager
from callcenter.adapters.ami.sink import AmiSink, Message
from callcenter.settings import AmiServer

log = logging.getLogger(__name__)


class AmiActionError(Exception):
    """Asterisk answered an action with an error, or did not answer at all."""

    def __init__(self, action: str, message: str) -> None:
        super().__init__(f"AMI action {action} failed: {message}")
        self.action = action
        self.message = message


@dataclass(frozen=True)
class _Resync:
    messages: tuple[Message, ...]


class AmiListener:
    """One AMI session per Asterisk server; events go through one ordered queue to one consumer."""

    def __init__(
        self,
        *,
        server: AmiServer,
        sink: AmiSink,
        protocol_factory: Callable[[], asyncio.Protocol],
        reconnect_min_s: float = 0.2,
        reconnect_max_s: float = 30.0,
        ping_interval_s: float = 10.0,
        action_timeout_s: float = 5.0,
        resync_timeout_s: float = 30.0,
        clock: Callable[[], float] = time.time,
        max_queue: int = 10_000,
        on_start: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        if max_queue < 2:
            raise ValueError("max_queue must be at least 2")
        self.server = server
        self._sink = sink
        self._protocol_factory = protocol_factory
        self._reconnect_min = reconnect_min_s
        self._reconnect_max = reconnect_max_s
        self._ping_interval = ping_interval_s
        self._action_timeout = action_timeout_s
        # A restarted Asterisk can be slow over its first QueueStatus: the resync waits longer.
        self._resync_timeout = resync_timeout_s
        self._clock = clock
        self._queue: deque[tuple[float, Message | _Resync]] = deque()
        self._max_queue = max_queue
        self._on_start = on_start  # before the first connect (the live-call journal's restore)
        self._resume_at = max_queue // 2
        self._waiting = asyncio.Event()  # set while the queue holds something
        self._transport: asyncio.BaseTransport | None = None
        self._reading_paused = False
        self.read_pauses = 0  # times the queue filled and reading the socket stopped
        self.peak_depth = 0  # most events ever waiting at once
        self._manager: LossAwareManager | None = None
        self._lost = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self.connected = False
        self.connects = 0
        self.events_in = 0

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the connection loop and the consumer; returns at once (no Asterisk needed yet)."""
        if self._on_start is not None:
            await self._on_start()
        self._tasks = [
            asyncio.create_task(self._consume(), name=f"ami-consume-{self.server.name}"),
            asyncio.create_task(self._connect_loop(), name=f"ami-connect-{self.server.name}"),
        ]

    async def stop(self) -> None:
        """Log off if connected and stop every task."""
        manager = self._manager
        if manager is not None and self.connected:
            with contextlib.suppress(TimeoutError, OSError, asyncio.CancelledError):
                async with asyncio.timeout(1.0):
                    await manager.send_action({"Action": "Logoff"})
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        if manager is not None:
            manager.close()
        self.connected = False

    @property
    def lag(self) -> tuple[int, float]:
        """Events waiting for the consumer, and the age in seconds of the oldest one."""
        if not self._queue:
            return 0, 0.0
        return len(self._queue), max(0.0, self._clock() - self._queue[0][0])

    # -- actions ---------------------------------------------------------------------------

    async def send_action(
        self, action: Mapping[str, Any], *, as_list: bool | None = None, timeout_s: float = 0.0
    ) -> Any:
        """Send an action; return panoramisk's reply (a list for list actions) within `timeout_s`
        (default: the action timeout)."""
        name = str(action.get("Action", "?"))
        manager = self._manager
        if manager is None or not self.connected:
            raise AmiActionError(name, f"not connected to Asterisk {self.server.name!r}")
        # The reply races the connection: an action pending when Asterisk goes away fails at
        # once instead of waiting out its timeout (a resync would otherwise hold for 30 s).
        answer = asyncio.ensure_future(manager.send_action(dict(action), as_list=as_list))
        lost = asyncio.ensure_future(self._lost.wait())
        try:
            await asyncio.wait(
                (answer, lost),
                timeout=timeout_s or self._action_timeout,
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            lost.cancel()
        if not answer.done():
            answer.cancel()
            if self._lost.is_set():
                raise AmiActionError(name, f"connection to Asterisk {self.server.name!r} lost")
            raise AmiActionError(name, "no answer from Asterisk")
        reply = answer.result()
        first = reply[0] if isinstance(reply, list) and reply else reply
        if getattr(first, "response", "") in ("Error", "Fail", "Failure"):
            raise AmiActionError(name, str(first.get("Message", "error")))
        return reply

    # -- internals -------------------------------------------------------------------------

    def _on_event(self, _manager: object, message: Message) -> None:
        # The one synchronous callback: panoramisk would run async callbacks as detached tasks.
        self.events_in += 1
        self._put(message)

    def _put(self, item: Message | _Resync) -> None:
        self._queue.append((self._clock(), item))
        self._waiting.set()
        depth = len(self._queue)
        if depth > self.peak_depth:
            self.peak_depth = depth
        if depth >= self._max_queue and not self._reading_paused:
            transport = self._transport
            if isinstance(transport, asyncio.ReadTransport) and not transport.is_closing():
                transport.pause_reading()
                self._reading_paused = True
                self.read_pauses += 1
                log.warning(
                    "AMI %s: %d events waiting; reading paused until half are handled",
                    self.server.name,
                    depth,
                )

    def _resume_reading(self) -> None:
        self._reading_paused = False
        transport = self._transport
        if isinstance(transport, asyncio.ReadTransport) and not transport.is_closing():
            transport.resume_reading()

    def _on_lost(self) -> None:
        self._lost.set()
        self._set_connected(False)  # commands see it at once, not after the session unwinds

    async def _connect_loop(self) -> None:
        delay = self._reconnect_min
        while True:
            try:
                await self._session()
                delay = self._reconnect_min
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("AMI %s: %s; retrying in %.1fs", self.server.name, exc, delay)
            self._set_connected(False)
            await asyncio.sleep(delay)
            delay = min(self._reconnect_max, delay * 2)

    async def _session(self) -> None:
        loop = asyncio.get_running_loop()
        self._lost.clear()
        manager = LossAwareManager(
            self._on_lost,
            host=self.server.host,
            port=self.server.port,
            username=self.server.username,
            secret=self.server.secret.get_secret_value(),
            events="on",
            loop=loop,
            ping_delay=10**6,  # we ping ourselves, with a timeout
            encoding="utf8",
            protocol_factory=self._protocol_factory,
            log=logging.getLogger("callcenter.adapters.ami.panoramisk"),
        )
        manager.register_event("*", self._on_event)
        async with asyncio.timeout(self._action_timeout):
            transport, protocol = await loop.create_connection(
                self._protocol_factory, self.server.host, self.server.port
            )
        connected: asyncio.Future[tuple[object, object]] = loop.create_future()
        connected.set_result((transport, protocol))
        manager.connection_made(connected)
        login = manager.authenticated_future
        self._manager = manager
        self._transport = transport
        self._reading_paused = False
        try:
            async with asyncio.timeout(self._action_timeout):
                reply = await login
            if not reply.success:
                raise ConnectionError(f"AMI login refused: {reply.get('Message', '')}")
            self.connects += 1
            log.info("AMI %s: logged in (connection %d)", self.server.name, self.connects)
            self._set_connected(True)
            await self._resync()
            await self._watch()
        finally:
            manager.close()
            self._manager = None
            self._transport = None
            self._reading_paused = False

    async def _resync(self) -> None:
        """Fetch live queue and channel state so calls that ended while we were away get closed."""
        items: list[Message] = []
        for action in ({"Action": "QueueStatus"}, {"Action": "CoreShowChannels"}):
            reply = await self.send_action(action, as_list=True, timeout_s=self._resync_timeout)
            items.extend(reply if isinstance(reply, list) else [reply])
        self._put(_Resync(tuple(items)))

    async def _watch(self) -> None:
        while not self._lost.is_set():
            try:
                async with asyncio.timeout(self._ping_interval):
                    await self._lost.wait()
            except TimeoutError:
                try:
                    await self.send_action({"Action": "Ping"})
                except AmiActionError as exc:
                    raise ConnectionError(f"ping failed: {exc.message}") from exc

    def _set_connected(self, value: bool) -> None:
        if self.connected != value:
            self.connected = value
            self._put({"__connection__": value})

    async def _consume(self) -> None:
        pbx = self.server.name
        while True:
            if not self._queue:
                self._waiting.clear()
                await self._waiting.wait()
                continue
            at, item = self._queue.popleft()
            if self._reading_paused and len(self._queue) <= self._resume_at:
                self._resume_reading()
            try:
                if isinstance(item, _Resync):
                    self._sink.resync(item.messages, pbx=pbx, at=at)
                elif "__connection__" in item:
                    self._sink.connection_changed(
                        pbx=pbx, connected=bool(item["__connection__"]), at=at
                    )
                else:
                    self._sink.handle(item, pbx=pbx, at=at)
            except Exception:
                # One bad event must never stop the listener.
                log.exception("AMI %s: event handling failed; event skipped", pbx)
