"""`GET /api/dialplan/route` on a real socket: FastAGI's answer, auth, garbage, a sick database."""

from __future__ import annotations

import asyncio
import re
import shlex
import socket
import sqlite3
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import uvicorn
from sqlalchemy.engine import make_url

from callcenter.app import create_app
from callcenter.runtime import Runtime
from callcenter.services.routing import load_rules
from callcenter.services.tokens import create_token
from callcenter.settings import Settings
from support.livestack import seed_floor

LI_WEI = "+8613800138000"
DEFAULT_GROUP = load_rules(None).default_group


def always_open(where: Path) -> Path:
    """The shipped rules with every group open around the clock, so the test hour never matters."""
    text = resources.files("callcenter.routing").joinpath("default.toml").read_text("utf-8")
    text = re.sub(r"^hours = \[.*\]$", 'hours = ["mon-sun 00:00-24:00"]', text, flags=re.M)
    text = re.sub(r"^holidays = \[.*?\]$", "holidays = []", text, flags=re.M | re.S)
    path = where / "always-open.toml"
    path.write_text(text, "utf-8")
    return path


@dataclass
class Served:
    runtime: Runtime
    http: httpx.AsyncClient
    agi_port: int

    async def route(self, headers: dict[str, str] | None = None, **params: str) -> httpx.Response:
        return await self.http.get("/api/dialplan/route", params=params, headers=headers)


@asynccontextmanager
async def serve(database_url: str, *, allow: tuple[str, ...] = ()) -> AsyncIterator[Served]:
    """The app under uvicorn with its FastAGI server, both on free loopback ports."""
    scratch = tempfile.TemporaryDirectory()
    rules = always_open(Path(scratch.name))
    settings = Settings(
        database_url=database_url,
        routing_file=rules,
        ami_servers=[],
        agi_enabled=True,
        agi_port=0,
        dialplan_allow=list(allow),
    )
    app = create_app(settings)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    )
    serving = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(20):
            while not server.started:
                await asyncio.sleep(0.02)
        port = server.servers[0].sockets[0].getsockname()[1]
        runtime: Runtime = app.state.runtime
        assert runtime.agi is not None
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=15) as http:
            yield Served(runtime, http, runtime.agi.port)
    finally:
        server.should_exit = True
        await serving
        scratch.cleanup()


async def agi_route(port: int, caller: str | None, did: str, menu: str | None) -> dict[str, str]:
    """One FastAGI session as Asterisk runs it; the variables the server set."""
    env = {
        "agi_network": "yes",
        "agi_network_script": "route",
        "agi_channel": "Local/s@caller-sim-00000000;1",
        "agi_uniqueid": "1795343813.0",
        "agi_callerid": caller or "unknown",
        "agi_callingpres": "0" if caller else "67",
        "agi_dnid": did,
        "agi_context": "inbound",
        "agi_extension": did,
        "agi_priority": "4",
    }
    if menu:
        env["agi_arg_1"] = menu
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write("".join(f"{k}: {v}\n" for k, v in env.items()).encode() + b"\n")
    found: dict[str, str] = {}
    async with asyncio.timeout(10):
        while line := await reader.readline():
            _, _, name, value = shlex.split(line.decode())
            found[name] = value
            writer.write(b"200 result=1\n")
    writer.close()
    return found


async def test_same_decision_as_the_fastagi_route(database_url: str) -> None:
    ids = await seed_floor(database_url)
    async with serve(database_url, allow=("127.0.0.1",)) as app:
        cases = [(LI_WEI, "8001", None), (LI_WEI, "8001", "4"), ("13912345678", "8006", None)]
        cases.append((None, "8002", None))  # withheld
        for caller, did, menu in cases:
            over_agi = await agi_route(app.agi_port, caller, did, menu)
            params = {"did": did, **({"caller": caller} if caller else {})}
            reply = await app.route(**params, **({"menu": menu} if menu else {}))
            assert reply.status_code == 200, reply.text
            body = reply.json()
            assert body["variables"] == over_agi, (caller, did, menu)
            assert body["queue"] == over_agi["CC_QUEUE"]
        li_wei = (await app.route(caller=LI_WEI, did="8001")).json()
        assert li_wei["customer_id"] == ids["li_wei"]
        assert li_wei["segment"] == "senior"
        assert li_wei["variables"]["CC_CUSTOMER_ID"] == str(ids["li_wei"])
        assert li_wei["trace"]  # the reasoning comes along for the operator


async def test_the_decision_is_remembered_for_the_screen_pop(database_url: str) -> None:
    await seed_floor(database_url)
    async with serve(database_url, allow=("127.0.0.0/8",)) as app:
        reply = await app.route(caller=LI_WEI, did="8001", uniqueid="1795343813.7")
        assert reply.status_code == 200
        kept = app.runtime.routing.decision_for("1795343813.7")
        assert kept is not None
        assert kept.to_json()["customer_id"] == reply.json()["customer_id"]


@pytest.mark.parametrize(
    "params",
    [
        {"caller": "<script>alert(1)</script>", "did": "xyz", "menu": "99"},
        {"caller": "9" * 5000, "did": "8" * 5000},
        {"caller": "\x00\x01", "did": "8001\r\nCC_QUEUE: finance"},
        {"caller": "anonymous"},
        {},
        {"did": "", "caller": "", "menu": "", "extra": "ignored"},
    ],
)
async def test_garbage_query_is_an_unknown_caller_in_the_default_queue(
    database_url: str, params: dict[str, str]
) -> None:
    await seed_floor(database_url)
    async with serve(database_url, allow=("127.0.0.1",)) as app:
        reply = await app.route(**params)
        assert reply.status_code == 200, reply.text
        body = reply.json()
        assert body["customer_id"] is None
        assert body["queue"] == DEFAULT_GROUP
        assert body["variables"]["CC_QUEUE"] == DEFAULT_GROUP
        assert body["variables"]["CC_CUSTOMER_ID"] == ""


async def test_who_may_ask(database_url: str) -> None:
    await seed_floor(database_url)
    async with serve(database_url, allow=("10.0.0.0/8", "not-an-address")) as app:
        nobody = await app.route(caller=LI_WEI, did="8001")
        assert nobody.status_code == 401
        assert "dialplan token" in nobody.json()["detail"]
        bogus = await app.route({"Authorization": "Bearer cc_" + "x" * 40}, did="8001")
        assert bogus.status_code == 401

        uow = app.runtime.uow
        agent, _ = await create_token(uow=uow, role="agent", agent_code="1001")
        refused = await app.route({"Authorization": f"Bearer {agent}"}, did="8001")
        assert refused.status_code == 403

        for role in ("dialplan", "admin"):
            token, _ = await create_token(uow=uow, role=role)
            ok = await app.route({"Authorization": f"Bearer {token}"}, caller=LI_WEI, did="8001")
            assert ok.status_code == 200, role
            assert ok.json()["customer_id"] is not None


async def test_allow_listed_address_needs_no_token(database_url: str) -> None:
    await seed_floor(database_url)
    async with serve(database_url, allow=("::1", "127.0.0.0/8")) as app:
        reply = await app.route(caller=LI_WEI, did="8001")
        assert reply.status_code == 200
        assert reply.json()["customer_id"] is not None


@asynccontextmanager
async def database_held(runtime: Runtime, database_url: str) -> AsyncIterator[None]:
    """Make the customer data unreadable for the app until the block ends (a stuck database)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        await runtime.database.aclose()  # the lock below needs every other connection gone
        holder = sqlite3.connect(str(url.database), isolation_level=None)
        holder.execute("PRAGMA locking_mode=EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")
        holder.execute("UPDATE phone_numbers SET kind = kind")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.execute("PRAGMA locking_mode=NORMAL")
            holder.execute("SELECT 1")  # the mode change takes effect on the next access
            holder.close()
        return
    conn = await asyncpg.connect(
        host=url.host,
        port=url.port,
        user=url.username,
        password=url.password,
        database=url.database,
    )
    tx = conn.transaction()
    await tx.start()
    await conn.execute("LOCK TABLE phone_numbers IN ACCESS EXCLUSIVE MODE")
    try:
        yield
    finally:
        await tx.rollback()
        await conn.close()


async def routed_again(app: Served) -> dict[str, Any]:
    async with asyncio.timeout(15):
        while True:
            body = (await app.route(caller=LI_WEI, did="8001")).json()
            if body["customer_id"] is not None:
                return dict(body)
            await asyncio.sleep(0.1)


async def test_slow_database_gives_the_fallback_then_recovers(database_url: str) -> None:
    ids = await seed_floor(database_url)
    async with serve(database_url, allow=("127.0.0.1",)) as app:
        assert (await app.route(caller=LI_WEI, did="8006")).json()["customer_id"] == ids["li_wei"]
        async with database_held(app.runtime, database_url):
            reply = await app.route(caller=LI_WEI, did="8006")
            assert reply.status_code == 200
            body = reply.json()
            assert body["reason"] == "fallback"
            assert body["queue"] == "finance"  # the entry point's own queue
            assert body["customer_id"] is None
            detail = body["trace"][0]["detail"]
            assert "not ready in 0.1" in detail and "(deadline 0.150 s" in detail, detail
            assert body["variables"]["CC_REASON"] == "fallback"
        assert (await routed_again(app))["customer_id"] == ids["li_wei"]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_database_down_gives_the_fallback(database_url: str, tmp_path: Path) -> None:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        down = f"sqlite+aiosqlite:///{tmp_path / 'no-such-dir' / 'callcenter.db'}"
    else:
        down = url.set(port=_closed_port()).render_as_string(hide_password=False)
    async with serve(down, allow=("127.0.0.1",)) as app:
        for did, queue in (("8001", "member-hotline"), ("8005", "documents")):
            reply = await app.route(caller=LI_WEI, did=did)
            assert reply.status_code == 200
            body = reply.json()
            assert body["reason"] == "fallback"
            assert body["queue"] == queue
        assert app.runtime.routing.stats.fallbacks == 2
