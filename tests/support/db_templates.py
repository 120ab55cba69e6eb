"""Migrated databases without migrating each time: the migrations run once per test session into
a template (a SQLite file; a PostgreSQL database used as `CREATE DATABASE … TEMPLATE`), and each
test gets its own copy — the same schema `upgrade` makes, in milliseconds instead of ~0.5 s.

The template is made by `upgrade` itself, so a migration that breaks still fails every database
test; tests/integration/test_db_migrations.py migrates empty databases on its own."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from pathlib import Path

from sqlalchemy.engine import make_url

from support import create_pg_database, drop_pg_database


class MigratedTemplates:
    """The session's templates, made on first use; `close` drops the PostgreSQL one."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._sqlite: Path | None = None
        self._pg_url: str | None = None

    async def sqlite_copy(self, dest: Path) -> str:
        """A migrated SQLite database at `dest` (a copy of the template file)."""
        from callcenter.adapters.db.migrate import upgrade

        if self._sqlite is None:
            template = self._folder / f"migrated-{uuid.uuid4().hex[:8]}.db"
            await upgrade(f"sqlite+aiosqlite:///{template}")
            self._sqlite = template
        shutil.copyfile(self._sqlite, dest)
        return f"sqlite+aiosqlite:///{dest}"

    async def pg_copy(self) -> str:
        """A uniquely named PostgreSQL database made from the migrated template."""
        from callcenter.adapters.db.migrate import upgrade

        if self._pg_url is None:
            url = await create_pg_database()  # fails under CI when PostgreSQL is unreachable
            await upgrade(url)
            self._pg_url = url
        return await create_pg_database(template=make_url(self._pg_url).database)

    def close(self) -> None:
        if self._pg_url is not None:
            asyncio.run(drop_pg_database(self._pg_url))
            self._pg_url = None
