"""Shared test helpers: trace paths, scratch PostgreSQL databases, the in-process API harness."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

TRACES = Path(__file__).resolve().parent.parent / "fixtures" / "ami-traces"  # copied from shared/
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
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


async def create_pg_database(template: str | None = None) -> str:
    """A uniquely named PostgreSQL database (a copy of database `template` if named);
    unreachable: fail under CI, skip elsewhere."""
    try:
        conn = await _pg_admin_connect()
    except (OSError, Exception) as exc:  # asyncpg raises its own errors besides OSError
        if IN_CI:
            pytest.fail(f"PostgreSQL unreachable at {PG_ADMIN_URL} under CI=true: {exc!r}")
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc!r}")
    name = f"cc_test_{uuid.uuid4().hex[:12]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    await conn.execute(f'CREATE DATABASE "{name}"{copy}')  # type: ignore[attr-defined]
    await conn.close()  # type: ignore[attr-defined]
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


async def drop_pg_database(url: str) -> None:
    """Drop a database made by create_pg_database, cutting any connection left open."""
    name = make_url(url).database
    conn = await _pg_admin_connect()
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[attr-defined]
    await conn.close()  # type: ignore[attr-defined]


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
