"""Seed benchmark: how fast `callcenter seed` fills PostgreSQL.

Usage: .venv/bin/python bench/seed.py [--customers N] [--database-url URL] [--seed S]
Without --database-url it creates a scratch database on CALLCENTER_BENCH_PG_URL (default: local
postgres) and drops it afterwards. The last line printed is
`seed_customers=N seed_seconds=S customers_per_s=R`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import uuid

ADMIN_URL = os.environ.get(
    "CALLCENTER_BENCH_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)


async def _admin(sql: str) -> None:
    import asyncpg
    from sqlalchemy.engine import make_url

    url = make_url(ADMIN_URL)
    conn = await asyncpg.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password,
        database=url.database or "postgres",
    )
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def bench(customers: int, url: str | None, seed: int) -> tuple[int, float]:
    """Migrate and seed; returns (customers written, seconds spent seeding)."""
    from sqlalchemy.engine import make_url

    from callcenter.adapters.db.migrate import upgrade
    from callcenter.seeding.loader import seed_database

    scratch = None
    if url is None:
        scratch = f"cc_bench_{uuid.uuid4().hex[:10]}"
        await _admin(f'CREATE DATABASE "{scratch}"')
        url = make_url(ADMIN_URL).set(database=scratch).render_as_string(hide_password=False)
    try:
        await upgrade(url)
        done = 0

        def tick(n: int) -> None:
            nonlocal done
            done += n
            if done % 100_000 < n:
                print(f"  {done} customers", file=sys.stderr, flush=True)

        result = await seed_database(url, customers=customers, seed=seed, on_chunk=tick)
        for table, count in result.rows.items():
            print(f"{table}={count}")
        return result.customers, result.seconds
    finally:
        if scratch is not None:
            await _admin(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


def main() -> int:
    """Parse options, run once, print the result line last."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    n, seconds = asyncio.run(bench(args.customers, args.database_url, args.seed))
    print(f"seed_customers={n} seed_seconds={seconds:.1f} customers_per_s={n / seconds:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
