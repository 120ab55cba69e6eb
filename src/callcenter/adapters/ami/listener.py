"""Live AMI connection: panoramisk lifecycle, reconnect with backoff, resync, one ordered queue."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from panoramisk import Manager

from callcenter.settings import AmiServer

log = logging.getLogger(__name__)

Message = Mapping[str, Any]


class AmiSink(Protocol):
    """Where the listener delivers messages, in arrival order, from one consumer task."""

    def handle(self, message: Message, *, pbx: str, at: float) -> None: ...

    def resync(self, messages: Sequence[Message], *, pbx: str, at: float) -> None: ...

    def connection_changed(self, *, pbx: str, connected: bool, at: float) -> None: ...


class AmiActionError(Exception):
    """Asterisk answered an action with an error, or did not answer at all."""

    def __init__(self, action: str, message: str) -> None:
        super().__init__(f"AMI action {action} failed: {message}")
        self.action = action
        self.message = message


@dataclass(frozen=True)
class _Resync:
    messages: tuple[Message, ...]


class _Manager(Manager):  # type: ignore[misc]
    """panoramisk's Manager, with reconnection left to AmiListener (backoff, resync)."""

    def __init__(self, on_lost: Callable[[], None], **config: Any) -> None:
        super().__init__(**config)
        self._on_lost = on_lost

    def connection_lost(self, exc: object) -> None:
        self._connected = False
        pinger: asyncio.TimerHandle | None = getattr(self, "pinger", None)
        if pinger is not None:
            pinger.cancel()
        self.pinger = None
        log.warning("AMI connection lost")
        self._on_lost()


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
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.server = server
        self._sink = sink
        self._protocol_factory = protocol_factory
        self._reconnect_min = reconnect_min_s
        self._reconnect_max = reconnect_max_s
        self._ping_interval = ping_interval_s
        self._action_timeout = action_timeout_s
        self._clock = clock
        self._queue: asyncio.Queue[tuple[float, Message | _Resync]] = asyncio.Queue()
        self._manager: _Manager | None = None
        self._lost = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self.connected = False
        self.connects = 0
        self.events_in = 0

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the connection loop and the consumer; returns at once (no Asterisk needed yet)."""
        self._tasks = [
            asyncio.create_task(self._consume(), name=f"ami-consume-{self.server.name}"),
            asyncio.create_task(self._connect_loop(), name=f"ami-connect-{self.server.name}"),
        ]

    async def stop(self) -> None:
        """Log off if connected and stop every task."""
        manager = self._manager
        if manager is not None and self.connected:
            with contextlib.suppress(TimeoutError, OSError, asyncio.CancelledError):
                await asyncio.wait_for(manager.send_action({"Action": "Logoff"}), 1.0)
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
        size = self._queue.qsize()
        if size == 0:
            return 0, 0.0
        oldest_at = self._queue._queue[0][0]  # type: ignore[attr-defined]
        return size, max(0.0, self._clock() - float(oldest_at))

    # -- actions ---------------------------------------------------------------------------

    async def send_action(self, action: Mapping[str, Any], *, as_list: bool | None = None) -> Any:
        """Send an action; return panoramisk's reply (a message, or a list for list actions)."""
        name = str(action.get("Action", "?"))
        manager = self._manager
        if manager is None or not self.connected:
            raise AmiActionError(name, f"not connected to Asterisk {self.server.name!r}")
        try:
            reply = await asyncio.wait_for(
                manager.send_action(dict(action), as_list=as_list), self._action_timeout
            )
        except TimeoutError as exc:
            raise AmiActionError(name, "no answer from Asterisk") from exc
        first = reply[0] if isinstance(reply, list) and reply else reply
        if getattr(first, "response", "") in ("Error", "Fail", "Failure"):
            raise AmiActionError(name, str(first.get("Message", "error")))
        return reply

    # -- internals -------------------------------------------------------------------------

    def _on_event(self, _manager: object, message: Message) -> None:
        # The one synchronous callback: panoramisk would run async callbacks as detached tasks.
        self.events_in += 1
        self._queue.put_nowait((self._clock(), message))

    def _on_lost(self) -> None:
        self._lost.set()

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
        manager = _Manager(
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
        transport, protocol = await asyncio.wait_for(
            loop.create_connection(self._protocol_factory, self.server.host, self.server.port),
            self._action_timeout,
        )
        connected: asyncio.Future[tuple[object, object]] = loop.create_future()
        connected.set_result((transport, protocol))
        manager.connection_made(connected)
        login = manager.authenticated_future
        self._manager = manager
        try:
            reply = await asyncio.wait_for(login, self._action_timeout)
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

    async def _resync(self) -> None:
        """Fetch live queue and channel state so calls that ended while we were away get closed."""
        items: list[Message] = []
        for action in ({"Action": "QueueStatus"}, {"Action": "CoreShowChannels"}):
            reply = await self.send_action(action, as_list=True)
            items.extend(reply if isinstance(reply, list) else [reply])
        self._queue.put_nowait((self._clock(), _Resync(tuple(items))))

    async def _watch(self) -> None:
        while not self._lost.is_set():
            try:
                await asyncio.wait_for(self._lost.wait(), self._ping_interval)
            except TimeoutError:
                try:
                    await self.send_action({"Action": "Ping"})
                except AmiActionError as exc:
                    raise ConnectionError(f"ping failed: {exc.message}") from exc

    def _set_connected(self, value: bool) -> None:
        if self.connected != value:
            self.connected = value
            self._queue.put_nowait((self._clock(), {"__connection__": value}))

    async def _consume(self) -> None:
        pbx = self.server.name
        while True:
            at, item = await self._queue.get()
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
