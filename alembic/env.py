"""Alembic environment: async migrations on the URL given (by callcenter.migrate or the env)."""

from __future__ import annotations

import asyncio
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

from callcenter.adapters.db.engine import make_engine
from callcenter.adapters.db.tables import Base

config = context.config
target_metadata = Base.metadata

if config.config_file_name is not None and "connection" not in config.attributes:
    fileConfig(config.config_file_name)


def _url() -> str:
    return os.environ.get("CALLCENTER_DATABASE_URL") or str(
        config.get_main_option("sqlalchemy.url")
    )


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
        compare_type=True,
    )


def _run_sync(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = make_engine(_url())
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_run_sync)
    finally:
        await engine.dispose()


def run_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
elif "connection" in config.attributes:
    # called from callcenter.adapters.db.migrate, inside its own event loop and transaction
    _run_sync(config.attributes["connection"])
else:
    asyncio.run(_run_async())
