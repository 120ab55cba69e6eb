"""Limits on the HTTP server's connections, for HTTP and websockets alike.

uvicorn times out idle keep-alive connections but not a client that never finishes its headers
(slowloris), and it accepts every connection it is offered until the process runs out of file
descriptors. These uvicorn protocol classes add, per connection:

- a cap on open connections per source address and in total: a connection over a cap is answered
  `503 Service Unavailable` with `Retry-After: 1` and `Connection: close`, then closed, before any
  of its bytes are read;
- a header deadline: a request's head (request line and headers) must arrive in full within
  `header_timeout_s` of its first byte (of the connection, for the first request); otherwise
  `408 Request Timeout` and the connection is closed;
- a header size cap: a head larger than `max_header_bytes` gets `431` and is closed;
- a paced intake: at most `new_per_turn` new connections begin reading in one turn of the event
  loop, the others wait a turn or more, paused (`http_intake.TurnIntake`).

`BodyLimit` is the ASGI side: a request body larger than the limit is refused with 413 before any
route (and so before any authentication or parsing) sees it; a declared Content-Length over the
limit is refused without reading a byte of the body.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from callcenter.adapters.http_intake import TurnIntake
from callcenter.adapters.loop_lag import arrival_time

log = logging.getLogger(__name__)

Scope = dict[str, Any]
Message = dict[str, Any]


def _status(code: int, reason: str, extra: str = "") -> bytes:
    return (
        f"HTTP/1.1 {code} {reason}\r\ncontent-length: 0\r\n{extra}connection: close\r\n\r\n"
    ).encode("ascii")


OVER_CAP = _status(503, "Service Unavailable", "retry-after: 1\r\n")
HEADER_TIMEOUT = _status(408, "Request Timeout")
HEADER_TOO_LARGE = _status(431, "Request Header Fields Too Large")


@dataclass
class ConnectionGuard:
    """Open connections by source address; both protocol classes share one guard."""

    max_total: int = 8192
    max_per_source: int = 2048
    header_timeout_s: float = 10.0
    max_header_bytes: int = 65_536
    new_per_turn: int = 16  # connections that begin reading in one turn of the loop
    open_total: int = 0
    by_source: Counter[str] = field(default_factory=Counter)
    refused: int = 0
    timed_out: int = 0
    _held: dict[int, str] = field(default_factory=dict)
    intake: TurnIntake = field(init=False)

    def __post_init__(self) -> None:
        self.intake = TurnIntake(self.new_per_turn)

    def admit(self, transport: asyncio.BaseTransport) -> bool:
        """Count a new connection in; False (and not counted) when a cap is reached."""
        peer = transport.get_extra_info("peername")
        source = str(peer[0]) if isinstance(peer, tuple) and peer else "unknown"
        if self.open_total >= self.max_total or self.by_source[source] >= self.max_per_source:
            self.refused += 1
            if self.refused == 1 or self.refused % 1000 == 0:
                log.warning(
                    "HTTP connection from %s refused: %d open (%d from it); %d refused so far",
                    source,
                    self.open_total,
                    self.by_source[source],
                    self.refused,
                )
            return False
        self._held[id(transport)] = source
        self.open_total += 1
        self.by_source[source] += 1
        return True

    def release(self, transport: asyncio.BaseTransport) -> None:
        """A counted connection ended (idempotent)."""
        source = self._held.pop(id(transport), None)
        if source is None:
            return
        self.open_total -= 1
        self.by_source[source] -= 1
        if self.by_source[source] <= 0:
            del self.by_source[source]


def limited_protocols(guard: ConnectionGuard) -> tuple[type[Any], type[Any]]:
    """uvicorn `http` and `ws` protocol classes that enforce `guard`."""

    class LimitedHttp(HttpToolsProtocol):
        _timer: asyncio.TimerHandle | None = None
        _in_head = False
        _head_bytes = 0
        _refused = False
        _answered_at: float | None = None  # monotonic, when the last answer here was complete

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if not guard.admit(transport):
                self._refused = True
                transport.write(OVER_CAP)
                transport.close()
                return
            guard.intake.arrived(transport)
            self._start_head()

        def connection_lost(self, exc: Exception | None) -> None:
            self._stop_timer()
            guard.release(self.transport)
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            if self._refused:
                return
            if not self._in_head and (self.cycle is None or self.cycle.response_complete):
                self._start_head()
            if self._in_head:
                self._head_bytes += len(data)
            super().data_received(data)
            # still in the head after this chunk (the body's bytes do not count)
            if self._in_head and self._head_bytes > guard.max_header_bytes:
                self._end(HEADER_TOO_LARGE)

        def on_headers_complete(self) -> None:
            self._in_head = False
            self._stop_timer()
            # The hook's deadline counts from here (see RoutingService.route's received_at), or
            # from the previous answer on this kept-alive connection: the client could not send
            # this request before it had that answer (a slow answer just before is not a wait).
            arrived = arrival_time()
            if self._answered_at is not None and self._answered_at > arrived:
                arrived = self._answered_at
            self.scope["state"]["received_at"] = arrived
            super().on_headers_complete()

        def on_response_complete(self) -> None:
            self._answered_at = time.monotonic()
            super().on_response_complete()

        def _start_head(self) -> None:
            self._in_head = True
            self._head_bytes = 0
            self._stop_timer()
            self._timer = self.loop.call_later(guard.header_timeout_s, self._head_timeout)

        def _stop_timer(self) -> None:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

        def _head_timeout(self) -> None:
            self._timer = None
            if self._in_head and not self.transport.is_closing():
                guard.timed_out += 1
                log.debug("HTTP connection from %s: headers not complete in time", self.client)
                self._end(HEADER_TIMEOUT if self._head_bytes else b"")

        def _end(self, answer: bytes) -> None:
            self._in_head = False
            self._stop_timer()
            if answer:
                self.transport.write(answer)
            self.transport.close()

    class LimitedWebSocket(WebSocketsSansIOProtocol):
        def connection_lost(self, exc: Exception | None) -> None:
            guard.release(self.transport)
            super().connection_lost(exc)

    return LimitedHttp, LimitedWebSocket


class BodyLimit:
    """ASGI middleware: request bodies over `max_bytes` get 413 before the app reads them."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await _refuse(send, self.max_bytes)
            return
        seen = 0
        started = refused = False

        async def counting_receive() -> Message:
            nonlocal seen, refused
            message: Message = await receive()
            if message["type"] == "http.request" and not refused:
                seen += len(message.get("body", b""))
                if seen > self.max_bytes and not started:
                    refused = True  # answer now; the app only learns the client is gone
                    await _refuse(send, self.max_bytes)
            return {"type": "http.disconnect"} if refused else message

        async def watching_send(message: Message) -> None:
            nonlocal started
            if refused:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except Exception:
            if not refused:
                raise


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(send: Any, limit: int) -> None:
    body = f'{{"detail":"request body larger than {limit} bytes"}}'.encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
