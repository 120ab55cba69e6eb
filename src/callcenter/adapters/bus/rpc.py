"""Requests between processes over Redis pub/sub: PBX commands to the AMI leader, broadcasts.

A request (`{prefix}:rpc`) names a PBX, a `PbxCommands` method and its keyword arguments; the
process whose AMI connection to that PBX is up (`local_for` returns its commands) runs it and
publishes the reply on the asker's own channel (`{prefix}:rpc:<node>`), under the request id.
No reply within the timeout (the leader died or changed mid-command, or Redis is away) is a
`PbxUnavailable` the caller may retry (HTTP 503 with Retry-After): nothing is lost silently.

Broadcasts (`{prefix}:cast`) reach every other process at once: a token revocation, say.
Every (re)subscription calls `on_connected`, so a process re-checks what it may have missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from callcenter.ports.pbx import PbxCommands
from callcenter.services import errors
from callcenter.services.errors import PbxRefused, PbxUnavailable

log = logging.getLogger(__name__)

ERRORS = (RedisError, OSError, TimeoutError, ConnectionError)
# The PbxCommands methods a remote process may ask for (nothing else is ever called by name).
METHODS = frozenset(
    {
        "add_member",
        "remove_member",
        "pause",
        "unpause",
        "originate_agent_first",
        "originate_customer_first",
        "customer_leg",
        "redirect",
        "spy",
        "switch_spy_mode",
        "mute_recording",
        "withdraw_caller",
    }
)
RETRY_AFTER_S = 2.0
PING_S = 3.0  # a quiet subscription is pinged after this long

# Service errors that travel back to the asker as themselves (a 403 stays a 403)
RELAYED = {e.__name__: e for e in (errors.NotFound, errors.Conflict, errors.Forbidden)}
SERVICE = "service:"  # a request for one of `BusRpc.services` rather than a PbxCommands method

LocalCommands = Callable[[str], PbxCommands | None]
Service = Callable[[dict[str, Any]], Awaitable[Any]]
Broadcast = Callable[[dict[str, Any]], None]


class BusRpc:
    """One process's end of the request/reply and broadcast channels; `start()`, `aclose()`."""

    def __init__(
        self,
        *,
        url: str,
        prefix: str,
        node: str | None = None,
        local_for: LocalCommands,
        on_cast: Broadcast | None = None,
        on_connected: Callable[[], None] | None = None,
        timeout_s: float = 5.0,
        retry_s: float = 1.0,
    ) -> None:
        self.node = node or secrets.token_hex(4)
        self.healthy = False
        self.served = 0  # requests this process ran for others
        self.asked = 0  # requests this process sent
        self.timed_out = 0
        self._requests = f"{prefix}:rpc"
        self._replies = f"{prefix}:rpc:{self.node}"
        self._casts = f"{prefix}:cast"
        self._local_for = local_for
        self._on_cast = on_cast
        self._on_connected = on_connected
        self._timeout, self._retry_s = timeout_s, retry_s
        self._redis = Redis.from_url(
            url,
            socket_timeout=timeout_s,
            socket_connect_timeout=timeout_s,
            retry=Retry(NoBackoff(), 0),
        )
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        # Requests run by the process leading the PBX named, like its commands (`call` with
        # method "service:<name>"): preview dialling, whose records the leader's dialer holds.
        self.services: dict[str, Service] = {}
        self._task: asyncio.Task[None] | None = None
        self._running: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Subscribe in the background (retried until Redis answers)."""
        self._task = asyncio.create_task(self._run(), name="bus-rpc")

    async def aclose(self) -> None:
        """Stop listening; callers still waiting get PbxUnavailable."""
        for task in [t for t in (self._task, *self._running) if t is not None]:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, *ERRORS):
                await task
        self._fail_waiting("this process is shutting down")
        with contextlib.suppress(*ERRORS):
            await self._redis.aclose()

    # -- asking ------------------------------------------------------------------------------

    async def call(self, pbx: str, method: str, kwargs: dict[str, Any]) -> Any:
        """Run `method` on the process holding `pbx`'s AMI connection; its result or its error."""
        if not self.healthy:
            raise PbxUnavailable(f"Asterisk {pbx!r} is on another process and the bus is down")
        rid = secrets.token_hex(8)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[rid] = future
        request = {"id": rid, "from": self.node, "pbx": pbx, "method": method, "kwargs": kwargs}
        self.asked += 1
        try:
            async with asyncio.timeout(self._timeout):
                await self._redis.publish(self._requests, json.dumps(request))
                reply = await future
        except ERRORS as exc:
            self.timed_out += 1
            raise PbxUnavailable(
                f"no process answered for Asterisk {pbx!r} within {self._timeout:.0f} s "
                f"(its listener may be changing; {method} may or may not have been applied): "
                f"{type(exc).__name__}",
                retry_after_s=RETRY_AFTER_S,
            ) from None
        finally:
            self._waiting.pop(rid, None)
        return _outcome(reply)

    async def cast(self, message: dict[str, Any]) -> bool:
        """Send a message to every other process; False when the bus is down."""
        try:
            await self._redis.publish(self._casts, json.dumps({"from": self.node, **message}))
        except ERRORS as exc:
            log.warning("bus: broadcast %s not sent: %r", message.get("type"), exc)
            return False
        return True

    # -- listening ---------------------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            pubsub = self._redis.pubsub()
            try:
                await pubsub.subscribe(self._requests, self._replies, self._casts)
                await self._listen(pubsub)
            except ERRORS as exc:
                if self.healthy:
                    log.error("bus rpc: Redis away (%r)", exc)
            finally:
                self.healthy = False
                self._fail_waiting("the bus connection was lost")
                with contextlib.suppress(*ERRORS):
                    await pubsub.aclose()  # type: ignore[no-untyped-call,unused-ignore]
            await asyncio.sleep(self._retry_s)

    async def _listen(self, pubsub: Any) -> None:
        loop = asyncio.get_running_loop()
        heard, pinged = loop.time(), False
        while True:
            msg = await pubsub.get_message(timeout=1.0)
            if msg is None:  # quiet: ping; no pong either means the connection is dead
                if loop.time() - heard > PING_S + self._timeout:
                    raise ConnectionError("Redis went silent")
                if loop.time() - heard > PING_S and not pinged:
                    await pubsub.ping()
                    pinged = True
                continue
            heard, pinged = loop.time(), False
            if msg["type"] == "subscribe":
                if msg["channel"] in (self._casts, self._casts.encode()) and not self.healthy:
                    self.healthy = True
                    log.info("bus rpc: listening as %s", self.node)
                    if self._on_connected is not None:
                        self._on_connected()
            elif msg["type"] == "message":
                self._dispatch(_text(msg["channel"]), _text(msg["data"]))

    def _dispatch(self, channel: str, data: str) -> None:
        try:
            body = json.loads(data)
        except ValueError:
            log.warning("bus rpc: malformed message on %s skipped", channel)
            return
        if channel == self._replies:
            future = self._waiting.get(str(body.get("id")))
            if future is not None and not future.done():
                future.set_result(body)  # a second leader's late answer is ignored
        elif channel == self._requests:
            commands = self._local_for(str(body.get("pbx")))
            if commands is not None and commands.connected:
                task = asyncio.create_task(self._serve(commands, body))
                self._running.add(task)
                task.add_done_callback(self._running.discard)
        elif body.get("from") != self.node and self._on_cast is not None:
            try:
                self._on_cast(body)
            except Exception:
                log.exception("bus rpc: broadcast handling failed")

    async def _serve(self, commands: PbxCommands, request: dict[str, Any]) -> None:
        method = str(request.get("method"))
        reply: dict[str, Any] = {"id": request.get("id")}
        kwargs = dict(request.get("kwargs") or {})
        try:
            service = self.services.get(method.removeprefix(SERVICE))
            if method.startswith(SERVICE) and service is not None:
                reply["result"] = await service(kwargs)
            elif method not in METHODS:
                raise ValueError(f"unknown command {method!r}")
            else:
                reply["result"] = await getattr(commands, method)(**kwargs)
        except tuple(RELAYED.values()) as exc:
            reply.update(error="service", kind=type(exc).__name__, message=str(exc))
        except PbxRefused as exc:
            reply.update(error="refused", command=exc.command, message=exc.message)
        except PbxUnavailable as exc:
            reply.update(error="unavailable", message=str(exc))
        except Exception as exc:  # a bad request: the asker gets it as a refusal, we keep going
            log.warning("bus rpc: %s for %s failed: %r", method, request.get("from"), exc)
            reply.update(error="refused", command=method, message=f"{type(exc).__name__}: {exc}")
        self.served += 1
        with contextlib.suppress(*ERRORS):
            await self._redis.publish(f"{self._requests}:{request.get('from')}", json.dumps(reply))

    def _fail_waiting(self, why: str) -> None:
        for future in self._waiting.values():
            if not future.done():
                future.set_exception(ConnectionError(why))


def _outcome(reply: dict[str, Any]) -> Any:
    error = reply.get("error")
    if error == "service":
        raise RELAYED.get(str(reply.get("kind")), errors.Conflict)(str(reply.get("message")))
    if error == "refused":
        raise PbxRefused(str(reply.get("command")), str(reply.get("message")))
    if error == "unavailable":
        raise PbxUnavailable(str(reply.get("message")), retry_after_s=RETRY_AFTER_S)
    return reply.get("result")


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)
