"""Shared fixtures: every database test runs on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from support import IN_CI, ApiHarness, create_pg_database, drop_pg_database
from support.db_templates import MigratedTemplates

# tests/pbx runs a real Asterisk: collected only when one is named (`make test-pbx` insists on it)
collect_ignore = [] if os.environ.get("CALLCENTER_TEST_ASTERISK") else ["pbx"]


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


@pytest.fixture(scope="session")
def migrated_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MigratedTemplates]:
    """The session's migrated templates (support/db_templates.py), dropped at the end."""
    templates = MigratedTemplates(tmp_path_factory.mktemp("migrated"))
    yield templates
    templates.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, migrated_templates: MigratedTemplates
) -> AsyncIterator[str]:
    """A fresh database migrated to head (a copy of the session's migrated template), once for
    SQLite and once for PostgreSQL."""
    if request.param == "sqlite":
        yield await migrated_templates.sqlite_copy(tmp_path / "test.db")
        return
    url = await migrated_templates.pg_copy()
    try:
        yield url
    finally:
        await drop_pg_database(url)


@pytest.fixture
async def api(database_url: str) -> AsyncIterator[ApiHarness]:
    """The app on a migrated database (SQLite and PostgreSQL), no AMI, no FastAGI."""
    import httpx

    from callcenter.app import create_app
    from callcenter.settings import Settings

    # Every request of the harness comes from one in-process source; the per-source throttle on
    # failed auth has its own test (tests/faults/test_auth_throttle.py) and is kept out of here.
    settings = Settings(
        database_url=database_url, ami_servers=[], agi_enabled=False, auth_fail_limit=100_000
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield ApiHarness(client, app.state.runtime)


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    """A Redis key prefix of this test's own; its keys are deleted after.

    Under CI=true an unreachable Redis fails the test; elsewhere it skips with the reason.
    """
    from redis.asyncio import Redis

    url = os.environ.get("CALLCENTER_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    client = Redis.from_url(url, socket_connect_timeout=2)
    try:
        await client.ping()
    except Exception as exc:
        await client.aclose()
        if IN_CI:
            pytest.fail(f"Redis unreachable at {url} under CI=true: {exc!r}")
        pytest.skip(f"Redis not reachable at {url}: {exc!r}")
    name = f"cctest-{uuid.uuid4().hex[:10]}"
    try:
        yield name
    finally:
        keys = [k async for k in client.scan_iter(match=f"{name}:*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()
