"""`callcenter seed`: fill an empty database with a synthetic, deterministic book club."""

from __future__ import annotations

import argparse

HELP = "Seed a migrated, empty database with N synthetic customers (deterministic by --seed)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the seed command."""
    parser.add_argument("--customers", type=int, required=True, help="how many customers")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    parser.add_argument(
        "--as-of",
        default=None,
        help="ISO date data is relative to (default: today, UTC); same seed + date = same data",
    )
    parser.add_argument("--database-url", default=None, help="default: CALLCENTER_DATABASE_URL")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="generator processes on PostgreSQL (default: cores)",
    )
    parser.add_argument("--no-migrate", action="store_true", help="do not upgrade the schema first")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    """Migrate (unless told not to), seed with a progress bar on stderr, print a summary."""
    import asyncio
    import logging
    import sys
    from datetime import UTC, datetime

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from callcenter.adapters.db.migrate import upgrade
    from callcenter.seeding.loader import SeedError, seed_database
    from callcenter.settings import load_settings

    url = args.database_url or load_settings().database_url
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # chatty at INFO
    as_of = None
    if args.as_of:
        try:
            as_of = datetime.fromisoformat(args.as_of).replace(tzinfo=UTC)
        except ValueError:
            print(f"seed: --as-of {args.as_of!r} is not an ISO date", file=sys.stderr)
            return 2
    console = Console(stderr=True)
    progress = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=args.quiet,
    )

    async def go() -> None:
        if not args.no_migrate:
            await upgrade(url)
        task = progress.add_task("customers", total=args.customers)
        with progress:
            result = await seed_database(
                url,
                customers=args.customers,
                seed=args.seed,
                as_of=as_of,
                workers=args.workers,
                on_chunk=lambda n: progress.advance(task, n),
            )
        rows = " ".join(f"{table}={count}" for table, count in result.rows.items())
        console.print(f"seeded in {result.seconds:.1f}s: {rows}")

    try:
        asyncio.run(go())
    except SeedError as exc:
        print(f"seed: {exc}", file=sys.stderr)
        return 1
    return 0
