"""Token guessing against a real `callcenter serve`: after N failures from one address within the
window, that address gets 429 with Retry-After (websockets: 1013) for tokens not known good."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import websockets

from callcenter.domain.access.auth import new_token
from support.livestack import seed_floor
from support.servekit import Served, make_tokens, served

LIMIT = 5


async def _get(node: Served, token: str, source: str = "127.0.0.1") -> httpx.Response:
    transport = httpx.AsyncHTTPTransport(local_address=source)
    async with httpx.AsyncClient(base_url=node.base, transport=transport, timeout=10) as client:
        return await client.get("/api/agents", headers={"Authorization": f"Bearer {token}"})


async def test_guessing_tokens_is_throttled_per_source(database_url: str, tmp_path: Path) -> None:
    """Figure: limit 5 per 60 s; 5 wrong tokens from 127.0.0.1 -> 401 each, the 6th -> 429 with
    Retry-After between 1 and 60, logged once; a websocket from there with a wrong token -> 1013;
    127.0.0.2 -> still 401; the known-good admin token from 127.0.0.1 -> still 200."""
    await seed_floor(database_url)
    (admin,) = await make_tokens(database_url, "admin", [None])
    async with served(database_url, tmp_path, auth_fail_limit=LIMIT, auth_fail_window_s=60) as node:
        assert (await _get(node, admin)).status_code == 200
        for _ in range(LIMIT):
            assert (await _get(node, new_token())).status_code == 401
        for guess in (new_token(), "garbage", new_token()):
            throttled = await _get(node, guess)
            assert throttled.status_code == 429
            assert 1 <= int(throttled.headers["retry-after"]) <= 60
        ws = await websockets.connect(f"ws://127.0.0.1:{node.http_port}/ws/agent")
        await ws.send(json.dumps({"type": "hello", "token": new_token()}))
        try:
            await ws.recv()
        except websockets.ConnectionClosed as closed:
            assert closed.rcvd is not None and closed.rcvd.code == 1013
        assert (await _get(node, new_token(), source="127.0.0.2")).status_code == 401
        assert (await _get(node, admin)).status_code == 200
        warnings = [line for line in node.log_text().splitlines() if "failed token checks" in line]
    assert len(warnings) == 1 and "127.0.0.1" in warnings[0], warnings
