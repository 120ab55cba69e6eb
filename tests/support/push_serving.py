"""The push hub behind a real uvicorn server on a free loopback port, for the hub's websocket tests:
the route is the thin loop the API will use; real websocket clients read from it."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect
from websockets.asyncio.client import ClientConnection, connect

from callcenter.adapters.push.hub import PushHub
from callcenter.adapters.push.protocol import ProtocolError, close_code, decode, parse_since

STEP = 10.0  # generous bound on any single wait so a broken hub fails instead of hanging


def make_app(hub: PushHub) -> Starlette:
    async def endpoint(ws: WebSocket) -> None:
        await ws.accept()
        try:
            since = parse_since(ws.query_params.get("since"))
        except ProtocolError as exc:
            await ws.close(code=1008, reason=str(exc)[:120])
            return
        token = ws.query_params.get("token")
        with hub.subscribe(
            ws.path_params["channel"],
            since=since,
            generation=ws.query_params.get("gen"),
            token_id=int(token) if token else None,
        ) as sub:
            try:
                async for message in sub:
                    await ws.send_text(message)
                await ws.close(code=close_code(sub.close_reason))
            except (WebSocketDisconnect, OSError, RuntimeError):
                return  # the client went away first

    return Starlette(routes=[WebSocketRoute("/ws/{channel}", endpoint)])


@asynccontextmanager
async def serving(hub: PushHub) -> AsyncIterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # small send buffers (inherited by accepted sockets) so a stalled reader backs up quickly
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8192)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        make_app(hub), lifespan="off", log_level="warning", timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    await until(lambda: server.started)
    try:
        yield f"ws://127.0.0.1:{port}/ws"
    finally:
        hub.close()
        server.should_exit = True
        await asyncio.wait_for(task, STEP)


async def until(condition: Callable[[], bool]) -> None:
    async def poll() -> None:
        # the conditions live in uvicorn and the hub, which offer no event to wait on
        while not condition():
            await asyncio.sleep(0.005)

    await asyncio.wait_for(poll(), STEP)


async def receive(client: ClientConnection, count: int) -> list[dict[str, Any]]:
    return [decode(await asyncio.wait_for(client.recv(), STEP)) for _ in range(count)]


@asynccontextmanager
async def client(url: str, **kwargs: Any) -> AsyncIterator[ClientConnection]:
    async with connect(url, compression=None, open_timeout=STEP, **kwargs) as conn:
        yield conn
