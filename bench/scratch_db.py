"""A scratch PostgreSQL database for one benchmark run: made on the server of an admin URL,
dropped after (connections left open are cut), so a bench never touches data it did not make."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from sqlalchemy.engine import make_url


async def create_scratch(admin_url: str, prefix: str) -> str:
    """A new, empty database named `<prefix>_<random>`; its SQLAlchemy URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(admin_url.replace("+asyncpg", ""))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


async def drop_scratch(admin_url: str, url: str) -> None:
    """Drop a database `create_scratch` made."""
    conn = await asyncpg.connect(admin_url.replace("+asyncpg", ""))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    finally:
        await conn.close()


@asynccontextmanager
async def scratch_database(admin_url: str, prefix: str) -> AsyncIterator[str]:
    """A scratch database for the `async with` block."""
    url = await create_scratch(admin_url, prefix)
    try:
        yield url
    finally:
        await drop_scratch(admin_url, url)
