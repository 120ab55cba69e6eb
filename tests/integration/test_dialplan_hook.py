"""The lean dialplan hook (answered ahead of FastAPI's router) keeps the documented route's
contract: same statuses, bodies and headers, same OpenAPI entry; the allow-list is read once."""

from __future__ import annotations

import asyncio
import logging
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from test_dialplan_http import LI_WEI, always_open

from callcenter.api.dialplan_hook import DialplanHook
from callcenter.app import create_app
from callcenter.runtime import Runtime
from callcenter.services.tokens import create_token
from callcenter.settings import Settings
from support.livestack import seed_floor

ROUTE = "/api/dialplan/route"


@asynccontextmanager
async def _app_on_socket(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    )
    serving = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(20):
            while not server.started:
                await asyncio.sleep(0.02)
        port = server.servers[0].sockets[0].getsockname()[1]
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=15) as http:
            yield http
    finally:
        server.should_exit = True
        await serving


def _app(database_url: str, rules: Path, allow: list[str], *, lean: bool) -> FastAPI:
    settings = Settings(
        database_url=database_url,
        routing_file=rules,
        ami_servers=[],
        agi_enabled=False,
        dialplan_allow=allow,
    )
    app = create_app(settings)
    if not lean:  # the documented FastAPI route alone, as the app answered before the hook
        app.user_middleware = [m for m in app.user_middleware if m.cls is not DialplanHook]
    return app


@asynccontextmanager
async def both(
    database_url: str, allow: list[str]
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient, Runtime]]:
    """The app with the lean hook and without it, on one database, each on a real socket."""
    with tempfile.TemporaryDirectory() as scratch:
        rules = always_open(Path(scratch))
        lean_app = _app(database_url, rules, allow, lean=True)
        plain_app = _app(database_url, rules, allow, lean=False)
        async with _app_on_socket(lean_app) as lean, _app_on_socket(plain_app) as plain:
            yield lean, plain, lean_app.state.runtime


def _seen(reply: httpx.Response) -> tuple[int, object, dict[str, str]]:
    kept = ("content-type", "www-authenticate", "retry-after")
    headers = {k: v for k, v in reply.headers.items() if k in kept}
    body = reply.json() if reply.content else None
    if isinstance(body, dict):
        body.pop("trace", None)  # lookup timings may differ between two answers
    return reply.status_code, body, headers


async def test_the_hook_answers_as_the_documented_route(database_url: str) -> None:
    await seed_floor(database_url)
    async with both(database_url, ["10.0.0.0/8"]) as (lean, plain, runtime):
        agent, _ = await create_token(uow=runtime.uow, role="agent", agent_code="1001")
        dialplan, _ = await create_token(uow=runtime.uow, role="dialplan")
        asks: list[tuple[str, dict[str, str]]] = [
            ("?caller=%2B8613800138000&did=8001", {}),  # no token, not allow-listed: 401
            ("?did=8001", {"Authorization": "Bearer cc_" + "x" * 40}),  # unknown token: 401
            ("?did=8001", {"Authorization": f"Bearer {agent}"}),  # agent role: 403
            ("?caller=%2B8613800138000&did=8001&menu=1", {"Authorization": f"Bearer {dialplan}"}),
            ("?did=8006&did=8001&caller=+8613800138000", {"Authorization": f"Bearer {dialplan}"}),
            ("?caller=%00%01&did=" + "8" * 500 + "&x=1", {"Authorization": f"Bearer {dialplan}"}),
            ("", {"Authorization": f"Bearer {dialplan}"}),
        ]
        for query, headers in asks:
            mine = await lean.get(ROUTE + query, headers=headers)
            theirs = await plain.get(ROUTE + query, headers=headers)
            assert _seen(mine) == _seen(theirs), query
        refused = await lean.get(ROUTE)
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"] == "Bearer"
        token = {"Authorization": f"Bearer {dialplan}"}
        repeated = await lean.get(ROUTE + "?did=8006&did=8001", headers=token)
        assert repeated.json()["variables"]["CC_QUEUE"] == "member-hotline"  # the last did wins


async def test_other_methods_and_the_schema_are_the_apps(database_url: str) -> None:
    async with both(database_url, ["127.0.0.1"]) as (lean, _, _runtime):
        assert (await lean.post(ROUTE, json={"caller": LI_WEI})).status_code == 405
        schema = (await lean.get("/openapi.json")).json()
        documented = schema["paths"][ROUTE]["get"]
        assert [p["name"] for p in documented["parameters"]] == [
            "caller",
            "did",
            "menu",
            "uniqueid",
        ]
        assert documented["tags"] == ["dialplan"]


async def test_a_bad_allow_list_entry_is_reported_once_not_per_request(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="callcenter.api.dialplan")
    wrong = f"not-an-address-{uuid.uuid4().hex}"
    async with both(database_url, ["127.0.0.1", wrong]) as (lean, _, _runtime):
        for _ in range(3):
            assert (await lean.get(ROUTE + "?did=8001")).status_code == 200
    bad = [r for r in caplog.records if wrong in r.getMessage()]
    assert len(bad) == 1, [r.getMessage() for r in bad]
