"""Shared fixtures: every database test runs on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

TRACES = Path(__file__).resolve().parent / "fixtures" / "ami-traces"  # copied from shared/
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PG_ADMIN_URL = os.environ.get(
    "CALLCENTER_TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI", "").lower() == "true"


async def _pg_admin_connect() -> object:
    import asyncpg

    url = make_url(PG_ADMIN_URL)
    return await asyncpg.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password,
        database=url.database or "postgres",
        timeout=5,
    )


async def create_pg_database() -> str:
    """A uniquely named PostgreSQL database; unreachable: fail under CI, skip elsewhere."""
    try:
        conn = await _pg_admin_connect()
    except (OSError, Exception) as exc:  # asyncpg raises its own errors besides OSError
        if IN_CI:
            pytest.fail(f"PostgreSQL unreachable at {PG_ADMIN_URL} under CI=true: {exc!r}")
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc!r}")
    name = f"cc_test_{uuid.uuid4().hex[:12]}"
    await conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[attr-defined]
    await conn.close()  # type: ignore[attr-defined]
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


async def drop_pg_database(url: str) -> None:
    """Drop a database made by create_pg_database, cutting any connection left open."""
    name = make_url(url).database
    conn = await _pg_admin_connect()
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[attr-defined]
    await conn.close()  # type: ignore[attr-defined]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty (un-migrated) database URL, once for SQLite and once for PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    url = await create_pg_database()
    try:
        yield url
    finally:
        await drop_pg_database(url)


@pytest.fixture
async def database_url(empty_database_url: str) -> str:
    """A fresh database migrated to head, once for SQLite and once for PostgreSQL."""
    from callcenter.adapters.db.migrate import upgrade

    await upgrade(empty_database_url)
    return empty_database_url


class ApiHarness:
    """An in-process app over a migrated database, with an httpx client and token helpers."""

    def __init__(self, client: object, runtime: object) -> None:
        import httpx

        from callcenter.runtime import Runtime

        assert isinstance(client, httpx.AsyncClient)
        assert isinstance(runtime, Runtime)
        self.client = client
        self.runtime = runtime

    async def token(self, role: str, agent_code: str | None = None) -> str:
        """A fresh token of this role (for agent tokens, tied to the agent with this code)."""
        from callcenter.services.tokens import create_token

        token, _ = await create_token(uow=self.runtime.uow, role=role, agent_code=agent_code)
        return token

    async def headers(self, role: str, agent_code: str | None = None) -> dict[str, str]:
        """Authorization headers for a fresh token of this role."""
        return {"Authorization": f"Bearer {await self.token(role, agent_code)}"}


@pytest.fixture
async def api(database_url: str) -> AsyncIterator[ApiHarness]:
    """The app on a migrated database (SQLite and PostgreSQL), no AMI, no FastAGI."""
    import httpx

    from callcenter.app import create_app
    from callcenter.settings import Settings

    settings = Settings(database_url=database_url, ami_servers=[], agi_enabled=False)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield ApiHarness(client, app.state.runtime)
