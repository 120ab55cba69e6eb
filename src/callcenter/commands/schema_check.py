"""Before a database command runs: is there a database, and is its schema the code's?"""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy.engine import make_url

DEMO_DIR = Path(".demo")


def demo_database_url(directory: Path = DEMO_DIR) -> str:
    """The SQLite URL of the database `callcenter demo --dir DIRECTORY` keeps."""
    return f"sqlite+aiosqlite:///{directory / 'demo.db'}"


def _head() -> str | None:
    from alembic.script import ScriptDirectory

    from callcenter.adapters.db.migrate import alembic_config

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def schema_problem(url: str) -> str | None:
    """One line saying why `url` cannot serve a command, or None when it is migrated to head.

    A SQLite file that does not exist is reported, never created.
    """
    from callcenter.adapters.db.migrate import current_revision

    try:
        parsed = make_url(url)
    except Exception as exc:
        return f"not a database URL: {url!r} ({exc})"
    shown = parsed.render_as_string(hide_password=True)
    hint = "run `callcenter migrate` (after `make demo`, use `callcenter --demo COMMAND`)"
    database = parsed.database or ""
    is_file_db = parsed.get_backend_name() == "sqlite" and database not in ("", ":memory:")
    if is_file_db and not Path(database).is_file():
        return f"no database at {shown}: {hint}"
    try:
        reached = asyncio.run(current_revision(url))
    except Exception as exc:  # any driver's failure to connect, reported in one line
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"cannot open the database {shown}: {first}"
    if reached is None:
        return f"the database {shown} has no schema: {hint}"
    head = _head()
    if reached != head:
        return f"the database {shown} is at revision {reached}, this version needs {head}: {hint}"
    return None
