"""Routing round trips: C concurrent Asterisk-like clients for S seconds.

Starts a FastAGI server on a free loopback port with an in-memory snapshot source (or, with
--connect HOST:PORT, drives a server that is already running) and replays the agi_* environment
of a real session with varying callers and entry points. With --database-url URL the server looks
callers up in that (seeded) database, and the callers are drawn from its phone numbers (about half
of them unknown numbers). With --http BASE_URL the clients ask a running app's
`GET /api/dialplan/route` instead (token from --token or CALLCENTER_TOKEN, or an allow-listed
address). The last line is `route_p50_ms=… route_p99_ms=… routes_per_s=… fallbacks=…
bare_p50_ms=… bare_p99_ms=… p99_ratio_to_bare=…`: the bare figures are the same clients at the
same rate against a server that only replays the first answer seen (bare_hooks.py), the ceiling.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

import httpx
from bare_hooks import BareServer
from route_clients import client, environment, http_call, http_client, one_call, open_loop

from callcenter.adapters.agi import AgiServer, start_agi_server
from callcenter.adapters.db.database import Database
from callcenter.domain.routing.inputs import CustomerSnapshot, OpenComplaint, ServedBy
from callcenter.services.routing import RoutingService, load_rules
from callcenter.services.routing_sources import InMemorySnapshots

SEGMENTS = ("regular", "regular", "senior", "vip")


def customers(n: int, rng: random.Random) -> dict[str, CustomerSnapshot]:
    """n known callers with a realistic mix of segments, complaints and past agents."""
    now = datetime.now(UTC)
    out = {}
    for i in range(n):
        complaints: tuple[OpenComplaint, ...] = ()
        if rng.random() < 0.1:
            complaints = (OpenComplaint(i, "documents", "1008", now - timedelta(days=3)),)
        out[f"+86138{i:08d}"] = CustomerSnapshot(
            customer_id=i + 1,
            segment=rng.choice(SEGMENTS),  # type: ignore[arg-type]
            open_complaints=complaints,
            last_agents=(ServedBy(f"10{rng.randint(1, 10):02d}", now - timedelta(days=2)),),
        )
    return out


async def known_numbers(database_url: str, limit: int) -> list[str]:
    """Up to `limit` E.164 numbers stored in the database (the callers the router can match)."""
    from sqlalchemy import select

    from callcenter.adapters.db.tables_customers import PhoneRow
    from callcenter.bootstrap import open_database

    async with open_database(database_url) as db, db.engine.connect() as conn:
        rows = await conn.execute(
            select(PhoneRow.e164).where(PhoneRow.e164.is_not(None)).limit(limit)
        )
        return [str(r[0]) for r in rows]


def db_service(database_url: str, deadline_s: float) -> tuple[RoutingService, Database]:
    """A RoutingService reading snapshots from the database, as the bootstrap wires it."""
    from callcenter.bootstrap import database, routing_service
    from callcenter.settings import Settings

    settings = Settings(database_url=database_url, route_deadline_ms=round(deadline_s * 1000))
    db = database(settings)
    return routing_service(settings, db), db


async def drive(
    args: argparse.Namespace, known: list[str] | None, where: tuple[str, int] | str
) -> tuple[list[tuple[float, bool]], float]:
    """Routes at --rate (or --concurrency clients) for --seconds against a FastAGI (host, port)
    or an HTTP base URL; (latency s, fell back) per route, and the elapsed seconds."""
    rng = random.Random(args.seed)
    rngs = [random.Random(rng.random()) for _ in range(args.concurrency)]
    results: list[tuple[float, bool]] = []
    started = time.perf_counter()
    until = started + args.seconds
    if isinstance(where, str):
        token = args.token or os.environ.get("CALLCENTER_TOKEN")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        # Open loop: as many connections as requests in flight, as Asterisk's calls each curl on
        # their own; a capped pool would queue requests in this client, not in the server.
        limits = httpx.Limits(max_connections=None if args.rate else args.concurrency)
        async with httpx.AsyncClient(
            base_url=where, headers=headers, limits=limits, timeout=10
        ) as http:
            if args.rate:
                await open_loop(
                    lambda seq: http_call(http, rng, args.customers, seq, known),
                    args.rate,
                    until,
                    results,
                )
            else:
                await asyncio.gather(
                    *(http_client(http, until, r, args.customers, results, known) for r in rngs)
                )
    else:
        host, port = where
        if args.rate:
            await open_loop(
                lambda seq: one_call(host, port, environment(rng, args.customers, seq, known)),
                args.rate,
                until,
                results,
            )
        else:
            await asyncio.gather(
                *(client(host, port, until, r, args.customers, results, known) for r in rngs)
            )
    return results, time.perf_counter() - started


def cuts(results: list[tuple[float, bool]]) -> tuple[float, float]:
    """p50 and p99 in ms."""
    latencies = sorted(s * 1000 for s, _ in results)
    return statistics.median(latencies), latencies[
        min(len(latencies) - 1, int(len(latencies) * 0.99))
    ]


async def main(args: argparse.Namespace) -> None:
    server: AgiServer | None = None
    db: Database | None = None
    known = await known_numbers(args.database_url, args.customers) if args.database_url else None
    if known is not None and not known:
        raise SystemExit(f"no phone numbers in {args.database_url}: seed it first")
    where: tuple[str, int] | str
    if args.http:
        where = args.http
    elif args.connect:
        host, _, port_text = args.connect.rpartition(":")
        where = host, int(port_text)
    else:
        if args.database_url:
            service, db = db_service(args.database_url, args.deadline_ms / 1000)
        else:
            service = RoutingService(
                rules=load_rules(None),
                snapshots=InMemorySnapshots(customers(args.customers, random.Random(args.seed))),
                deadline_s=args.deadline_ms / 1000,
            )
        server = await start_agi_server(service, "127.0.0.1", 0)
        where = server.host, server.port
    results, elapsed = await drive(args, known, where)
    if server is not None:
        await server.stop()
    if db is not None:
        await db.aclose()
    p50, p99 = cuts(results)
    fallbacks = sum(1 for _, fb in results if fb)
    via = "http" if args.http else "agi"
    bare = ""
    if not args.no_bare:  # the same clients against a server that only replays an answer
        ceiling = BareServer(via)
        port = ceiling.start()
        try:
            target = f"http://127.0.0.1:{port}" if args.http else ("127.0.0.1", port)
            bare_p50, bare_p99 = cuts((await drive(args, known, target))[0])
        finally:
            ceiling.stop()
        bare = (
            f" bare_p50_ms={bare_p50:.2f} bare_p99_ms={bare_p99:.2f}"
            f" p99_ratio_to_bare={p99 / bare_p99:.2f}"
        )
    source = "database" if args.database_url else "memory"
    print(
        f"calls={len(results)} concurrency={args.concurrency} rate={args.rate} "
        f"seconds={elapsed:.2f} via={via} callers={source}"
    )
    print(
        f"route_p50_ms={p50:.2f} route_p99_ms={p99:.2f} "
        f"routes_per_s={len(results) / elapsed:.0f} fallbacks={fallbacks}{bare}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument(
        "--rate",
        type=float,
        default=None,
        help="open loop: start R routes a second regardless of answers (instead of --concurrency)",
    )
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--deadline-ms", type=int, default=150)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--connect", default=None, help="HOST:PORT of a running FastAGI server")
    parser.add_argument(
        "--database-url",
        default=None,
        help="route against this seeded database; callers are drawn from its phone numbers",
    )
    parser.add_argument(
        "--http",
        default=None,
        metavar="BASE_URL",
        help="ask GET /api/dialplan/route of a running app, e.g. http://127.0.0.1:8000",
    )
    parser.add_argument("--token", default=None, help="dialplan token for --http")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare-server ceiling")
    asyncio.run(main(parser.parse_args()))
