"""`callcenter migrate`: bring the database schema up to date (Alembic)."""

from __future__ import annotations

import argparse

HELP = "Upgrade the database schema to the newest revision (or --revision)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the migrate command."""
    parser.add_argument("--database-url", default=None, help="default: CALLCENTER_DATABASE_URL")
    parser.add_argument("--revision", default="head", help="target revision (default: head)")
    parser.add_argument(
        "--downgrade", action="store_true", help="go down to --revision instead (e.g. base)"
    )


def run(args: argparse.Namespace) -> int:
    """Run the migration and report the revision reached."""
    import asyncio
    import logging
    import sys

    from sqlalchemy.engine import make_url

    from callcenter.adapters.db.migrate import current_revision, downgrade, upgrade
    from callcenter.settings import load_settings

    url = args.database_url or load_settings().database_url
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # chatty at INFO

    async def go() -> str | None:
        if args.downgrade:
            await downgrade(url, args.revision)
        else:
            await upgrade(url, args.revision)
        return await current_revision(url)

    try:
        reached = asyncio.run(go())
    except (OSError, ValueError) as exc:
        print(f"migrate failed: {exc}", file=sys.stderr)
        return 1
    shown = make_url(url).render_as_string(hide_password=True)
    print(f"database {shown} at revision {reached or 'base'}", file=sys.stderr)
    return 0
