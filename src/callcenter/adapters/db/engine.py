"""Async engine and session factory for SQLite (embedded) and PostgreSQL (production)."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

log = logging.getLogger(__name__)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Foreign keys are off by default in SQLite; WAL lets readers run beside the one writer."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An AsyncEngine for the URL: SQLite with FK+WAL pragmas, PostgreSQL with a checked pool."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_async_engine(url, echo=echo)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(
        url,
        echo=echo,
        pool_size=10,
        max_overflow=20,
        pool_pre_ping=True,
        pool_recycle=1800,
        connect_args={"server_settings": {"application_name": "callcenter"}},
    )


def make_lookup_engine(main: AsyncEngine, *, pool_size: int) -> AsyncEngine:
    """The router's engine for one-statement reads, on PostgreSQL a pool of its own.

    Autocommit: a lookup is one round trip, without the BEGIN and ROLLBACK around it. No
    pre-ping: a connection the server dropped fails that one lookup, which the router answers
    with its fallback while the pool replaces the connection, instead of every lookup paying a
    round trip to find out. Its own `pool_size` connections: call stores, pop fetches and
    reports waiting for the main pool never hold up a route. SQLite: the main engine itself (one
    file, one pool; a lookup there is no network round trip).
    """
    if main.url.get_backend_name() == "sqlite":
        return main
    return create_async_engine(
        main.url,
        pool_size=pool_size,
        max_overflow=pool_size,  # the work-item placer's lookups beside the router's
        pool_recycle=1800,
        isolation_level="AUTOCOMMIT",
        connect_args={"server_settings": {"application_name": "callcenter-routing"}},
    )


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded values after commit (records are built from them afterwards)."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
