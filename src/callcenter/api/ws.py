"""Websockets: `/ws/agent` (an agent's own desktop stream) and `/ws/wallboard` (supervisors).

Served by `callcenter.api.ws_streams.WebsocketStreams` ahead of FastAPI's router; the work of each
handshake (accept, token check) is done in a turn of the gate, the wait for the client's hello
outside it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from fastapi import WebSocket, WebSocketDisconnect

from callcenter.adapters.push.handshakes import HandshakeGate
from callcenter.adapters.push.hub import Subscription
from callcenter.adapters.push.protocol import WALLBOARD, ProtocolError, close_code, parse_since
from callcenter.domain.access.auth import Principal, allows, bearer_token
from callcenter.runtime import Runtime
from callcenter.services.auth import Throttled

log = logging.getLogger(__name__)

POLICY_VIOLATION = 1008
TRY_AGAIN_LATER = 1013


async def _hello(ws: WebSocket, timeout_s: float) -> dict[str, Any]:
    """The first client frame, `{"type": "hello", "token": ..., "since": N, "gen": G}`.

    The token travels in a frame, not the URL, so it never lands in an access log. A client that
    leaves before saying hello raises `_Gone`; one that says nothing in time gets {} (refused).
    """
    try:
        async with asyncio.timeout(timeout_s):
            text = await ws.receive_text()
        hello = json.loads(text)
    except WebSocketDisconnect as exc:
        raise _Gone from exc
    except TimeoutError:
        log.info("websocket from %s sent no hello in %.0f s; closed", _peer(ws), timeout_s)
        return {}
    except (json.JSONDecodeError, KeyError, RuntimeError):
        return {}
    return hello if isinstance(hello, dict) else {}


def _peer(ws: WebSocket) -> str:
    return ws.client.host if ws.client else "unknown"


async def _authenticate(
    ws: WebSocket, runtime: Runtime, gate: HandshakeGate
) -> tuple[Principal | None, dict[str, Any]]:
    token = bearer_token(ws.headers.get("authorization"))
    hello: dict[str, Any] = {}
    if token is None:
        hello = await _hello(ws, runtime.settings.ws_hello_timeout_s)  # outside the gate
        raw = hello.get("token")
        token = raw if isinstance(raw, str) else None
    try:
        async with gate.turn():
            source = ws.client.host if ws.client else None
            principal = await runtime.auth.authenticate(token, source)
    except Throttled as exc:
        raise _TryLater(
            f"too many failed token checks; retry in {exc.retry_after_s:.0f} s"
        ) from exc
    except Exception as exc:  # database away: the client is told to retry, not signed out
        log.warning("websocket auth unavailable: %r", exc)
        raise _TryLater("cannot check tokens right now") from exc
    return principal, hello


class _Gone(Exception):
    """The client closed the socket before its hello: nothing to answer."""


class _TryLater(Exception):
    """Tokens cannot be checked now (or not from this source); close with 1013, retry later."""


def _since(ws: WebSocket, hello: dict[str, Any]) -> tuple[int | None, str | None]:
    raw = hello.get("since", ws.query_params.get("since"))
    gen = hello.get("gen", ws.query_params.get("gen"))
    return parse_since(None if raw is None else str(raw)), None if gen is None else str(gen)


async def _pump(ws: WebSocket, sub: Subscription) -> None:
    """Send the subscription to the socket; notice the client leaving even when nothing is sent."""

    async def listen() -> None:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            while True:
                await ws.receive_text()  # clients may send keep-alives; we ignore them

    reader = asyncio.create_task(listen())
    reader.add_done_callback(lambda _t: sub.close())
    try:
        async for text in sub:
            await ws.send_text(text)
    except (WebSocketDisconnect, RuntimeError, OSError):
        sub.close()
    finally:
        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)
    with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
        await ws.close(code=close_code(sub.close_reason or "closed"))


async def agent_stream(ws: WebSocket, gate: HandshakeGate) -> None:
    """An agent's desktop: screen_pop, call_update, agent_state; resume with `since`."""
    runtime: Runtime = ws.app.state.runtime
    async with gate.turn():
        await ws.accept()
    try:
        principal, hello = await _authenticate(ws, runtime, gate)
    except _Gone:
        log.info("websocket from %s closed before its hello", _peer(ws))
        return
    except _TryLater as exc:
        await ws.close(code=TRY_AGAIN_LATER, reason=str(exc))
        return
    if principal is None or principal.agent_code is None:
        await ws.close(code=POLICY_VIOLATION, reason="an agent token is required")
        return
    try:
        since, gen = _since(ws, hello)
    except ProtocolError as exc:
        await ws.close(code=POLICY_VIOLATION, reason=str(exc))
        return
    channel = runtime.agent_channel(principal.agent_code)
    with runtime.hub.subscribe(
        channel, since=since, generation=gen, token_id=principal.token_id
    ) as sub:
        await _pump(ws, sub)


async def wallboard_stream(ws: WebSocket, gate: HandshakeGate) -> None:
    """Supervisors' live figures: a snapshot at connect, then coalesced updates."""
    runtime: Runtime = ws.app.state.runtime
    async with gate.turn():
        await ws.accept()
    try:
        principal, _ = await _authenticate(ws, runtime, gate)
    except _Gone:
        log.info("websocket from %s closed before its hello", _peer(ws))
        return
    except _TryLater as exc:
        await ws.close(code=TRY_AGAIN_LATER, reason=str(exc))
        return
    if principal is None or not allows(principal, "wallboard.view"):
        await ws.close(code=POLICY_VIOLATION, reason="a supervisor token is required")
        return
    with runtime.hub.subscribe(WALLBOARD, token_id=principal.token_id) as sub:
        snapshot = runtime.wallboard_snapshot()
        if snapshot is not None:
            await ws.send_text(json.dumps({"type": "wallboard", "seq": 0, **snapshot}))
        await _pump(ws, sub)
