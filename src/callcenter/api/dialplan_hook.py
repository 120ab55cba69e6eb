"""`GET /api/dialplan/route` answered ahead of FastAPI's router, as a plain ASGI middleware.

The hook is the one request Asterisk waits on with a call in hand, hundreds a second in a burst:
it skips FastAPI's per-request dependency resolution, parameter validation and inner middleware
layers (about a third of the process's time per hook request). The contract is the documented
route's in `callcenter.api.dialplan`: the same query parameters (the last of a repeated one
wins, as there), the same allow-list, token and role rules with the same 401/403/429/503 bodies,
the same JSON answer, and the deadline counted from the request's arrival. Every other request,
and any other method on this path, goes on to the app unchanged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

import orjson
from fastapi import HTTPException
from fastapi.exception_handlers import http_exception_handler
from starlette.requests import Request

from callcenter.api.dialplan import ROUTE_PATH, allow_listed, allowed_networks, routed, token_caller

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_JSON_HEADERS = (b"content-type", b"application/json")


class DialplanHook:
    """ASGI middleware: serves `GET /api/dialplan/route` itself, passes everything else on.

    `allow` (settings.dialplan_allow) is parsed once, here, when the app's middleware is built.
    """

    def __init__(self, app: ASGIApp, allow: list[str]) -> None:
        self.app = app
        self.networks = allowed_networks(allow)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != ROUTE_PATH or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        runtime = scope["app"].state.runtime
        client = scope.get("client")
        if not allow_listed(client[0] if client else None, self.networks):
            request = Request(scope, receive)
            try:
                await token_caller(request, runtime)
            except HTTPException as exc:
                refusal = await http_exception_handler(request, exc)
                await refusal(scope, receive, send)
                return
        query = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
        state = scope.get("state")
        received_at = state.get("received_at") if state else None
        answer = await routed(runtime, dict(query), received_at)
        await send_json(send, answer)


async def send_json(send: Send, content: Any) -> None:
    """A 200 with `content` as compact UTF-8 JSON: the bytes and headers of Starlette's
    JSONResponse for the hook's answers (strings, integers, lists, null), about 10x faster."""
    body = orjson.dumps(content)
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-length", str(len(body)).encode("latin-1")), _JSON_HEADERS],
        }
    )
    await send({"type": "http.response.body", "body": body})
