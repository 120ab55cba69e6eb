"""Run the Alembic migrations programmatically against a given database URL."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

import callcenter
from callcenter.adapters.db.engine import make_engine

log = logging.getLogger(__name__)

SCRIPT_LOCATION = Path(callcenter.__file__).resolve().parents[2] / "alembic"


def alembic_config(url: str) -> Config:
    """An Alembic Config pointing at the repo's alembic/ folder and the given URL."""
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPT_LOCATION))
    # '%' would be read as interpolation by configparser (URL-encoded passwords contain it)
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def _run(connection: Connection, cfg: Config, action: str, revision: str) -> None:
    cfg.attributes["connection"] = connection
    if action == "upgrade":
        command.upgrade(cfg, revision)
    else:
        command.downgrade(cfg, revision)


async def _migrate(url: str, action: str, revision: str) -> None:
    cfg = alembic_config(url)
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            sqlite = conn.dialect.name == "sqlite"
            if sqlite:
                # SQLite changes a table by copying it and dropping the old one, which breaks
                # the references to it mid-way: check foreign keys after the whole migration
                # instead (PRAGMA foreign_keys only takes effect outside a transaction).
                await conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
                await conn.commit()
            await conn.run_sync(_run, cfg, action, revision)
            if sqlite:
                broken = (await conn.exec_driver_sql("PRAGMA foreign_key_check")).all()
                if broken:
                    await conn.rollback()
                    raise RuntimeError(f"migration left broken references: {broken[:5]}")
            await conn.commit()
    finally:
        await engine.dispose()
    log.info("database %s to %s", action + "d", revision)


async def upgrade(url: str, revision: str = "head") -> None:
    """Upgrade the database at `url` to `revision` (default: the newest)."""
    await _migrate(url, "upgrade", revision)


async def downgrade(url: str, revision: str) -> None:
    """Downgrade the database at `url` to `revision` ("base" removes every table)."""
    await _migrate(url, "downgrade", revision)


async def current_revision(url: str) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    from alembic.runtime.migration import MigrationContext

    def _current(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(_current)
    finally:
        await engine.dispose()
