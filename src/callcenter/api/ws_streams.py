"""`/ws/agent` and `/ws/wallboard` answered ahead of FastAPI's router, as a plain ASGI middleware.

FastAPI's websocket route resolves its dependencies and runs its inner middleware for each socket,
about a fifth of a handshake's cost; in a reconnect storm (every desktop of the floor back within a
second) that is CPU the dialplan hook needs. The handlers take their handshake work in turns of
the runtime's `HandshakeGate` (adapters/push/handshakes.py). Other websocket paths go on to the
app and are refused there, as before.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.websockets import WebSocket

from callcenter.adapters.push.handshakes import HandshakeGate
from callcenter.api.dialplan_hook import ASGIApp, Receive, Scope, Send
from callcenter.api.ws import agent_stream, wallboard_stream

Stream = Callable[[WebSocket, HandshakeGate], Awaitable[None]]

STREAMS: dict[str, Stream] = {"/ws/agent": agent_stream, "/ws/wallboard": wallboard_stream}


class WebsocketStreams:
    """ASGI middleware: serves the desktop and wallboard streams, passes everything else on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        stream = STREAMS.get(scope["path"]) if scope["type"] == "websocket" else None
        if stream is None:
            await self.app(scope, receive, send)
            return
        gate: HandshakeGate = scope["app"].state.runtime.handshakes
        await stream(WebSocket(scope, receive, send), gate)
