"""`callcenter lookup NUMBER`: who is calling from a number, as JSON."""

from __future__ import annotations

import argparse

HELP = "Look a caller ID up in the customer directory and print the result as JSON."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The number and where the database is."""
    parser.add_argument("number", help="caller ID in any raw shape (e.g. 008613800138000)")
    parser.add_argument("--database-url", default=None, help="database URL (default: settings)")
    parser.add_argument("--region", default=None, help="region for national numbers (default: CN)")


def run(args: argparse.Namespace) -> int:
    """Look the number up and print {status, e164, candidates}."""
    import asyncio
    import json
    import sys

    from callcenter.settings import load_settings

    settings = load_settings()
    url = args.database_url or settings.database_url
    region = args.region or settings.default_region
    try:
        result = asyncio.run(_lookup(url, region, args.number))
    except ValueError as exc:
        print(f"callcenter lookup: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


async def _lookup(url: str, region: str, number: str) -> dict[str, object]:
    from callcenter.bootstrap import directory, open_database
    from callcenter.domain.customers.numbers import parse_caller_id

    parse_caller_id(None, region)  # an unknown region is refused before touching the database
    async with open_database(url) as db:
        return (await directory(db, region).lookup(raw=number)).to_json()
