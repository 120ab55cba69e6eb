"""Routing round trips: C concurrent Asterisk-like clients for S seconds.

Starts a FastAGI server on a free loopback port with an in-memory snapshot source (or, with
--connect HOST:PORT, drives a server that is already running) and replays the agi_* environment
of a real session with varying callers and entry points. With --database-url URL the server looks
callers up in that (seeded) database, and the callers are drawn from its phone numbers (about half
of them unknown numbers). With --http BASE_URL the clients ask a running app's
`GET /api/dialplan/route` instead (token from --token or CALLCENTER_TOKEN, or an allow-listed
address). The last line is `route_p50_ms=… route_p99_ms=… routes_per_s=… fallbacks=…`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import httpx

from callcenter.adapters.agi import AgiServer, start_agi_server
from callcenter.adapters.db.database import Database
from callcenter.domain.routing.inputs import CustomerSnapshot, OpenComplaint, ServedBy
from callcenter.services.routing import InMemorySnapshots, RoutingService, load_rules

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


def pick_caller(rng: random.Random, n: int, known: list[str] | None) -> str:
    """A known number or a stranger's, about half and half."""
    if known:
        return rng.choice(known) if rng.random() < 0.5 else f"+86139{rng.randrange(10**8):08d}"
    return f"+86138{rng.randrange(n * 2):08d}"


def environment(rng: random.Random, n: int, seq: int, known: list[str] | None = None) -> bytes:
    caller = pick_caller(rng, n, known)
    did = f"800{rng.randint(1, 7)}"
    lines = {
        "agi_network": "yes",
        "agi_network_script": "route",
        "agi_request": "agi://127.0.0.1:4573/route",
        "agi_channel": f"Local/s@caller-sim-{seq:08x};1",
        "agi_uniqueid": f"1795343813.{seq}",
        "agi_callerid": caller,
        "agi_calleridname": "Bench Caller",
        "agi_callingpres": "0",
        "agi_dnid": did,
        "agi_context": "inbound",
        "agi_extension": did,
        "agi_priority": "4",
    }
    return "".join(f"{k}: {v}\n" for k, v in lines.items()).encode() + b"\n"


async def one_call(host: str, port: int, env: bytes) -> tuple[float, bool]:
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(env)
    fallback = False
    while line := await reader.readline():
        if line.startswith(b"SET VARIABLE CC_REASON") and b"fallback" in line:
            fallback = True
        writer.write(b"200 result=1\n")
    writer.close()
    return time.perf_counter() - started, fallback


async def client(
    host: str,
    port: int,
    until: float,
    rng: random.Random,
    n: int,
    results: list[tuple[float, bool]],
    known: list[str] | None = None,
) -> None:
    seq = 0
    while time.perf_counter() < until:
        seq += 1
        results.append(await one_call(host, port, environment(rng, n, seq, known)))


async def open_loop(
    call: Callable[[int], Awaitable[tuple[float, bool]]],
    rate: float,
    until: float,
    results: list[tuple[float, bool]],
) -> None:
    """Start a route every 1/rate s whatever the answers do (Asterisk's calls do not wait)."""
    tasks: list[asyncio.Task[tuple[float, bool]]] = []
    next_at, seq = time.perf_counter(), 0
    while next_at < until:
        seq += 1
        tasks.append(asyncio.create_task(call(seq)))
        next_at += 1 / rate
        await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
    results.extend(await asyncio.gather(*tasks))


async def http_call(
    http: httpx.AsyncClient, rng: random.Random, n: int, seq: int, known: list[str] | None
) -> tuple[float, bool]:
    params = {
        "caller": pick_caller(rng, n, known),
        "did": f"800{rng.randint(1, 7)}",
        "uniqueid": f"1795343813.{seq}",
    }
    started = time.perf_counter()
    reply = await http.get("/api/dialplan/route", params=params)
    elapsed = time.perf_counter() - started
    reply.raise_for_status()  # a refused token is the operator's mistake: stop loudly
    return elapsed, "fallback" in str(reply.json().get("reason"))


async def http_client(
    http: httpx.AsyncClient,
    until: float,
    rng: random.Random,
    n: int,
    results: list[tuple[float, bool]],
    known: list[str] | None,
) -> None:
    seq = 0
    while time.perf_counter() < until:
        seq += 1
        results.append(await http_call(http, rng, n, seq, known))


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


async def main(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    server: AgiServer | None = None
    db: Database | None = None
    known = await known_numbers(args.database_url, args.customers) if args.database_url else None
    if known is not None and not known:
        raise SystemExit(f"no phone numbers in {args.database_url}: seed it first")
    results: list[tuple[float, bool]] = []
    started = time.perf_counter()
    until = started + args.seconds
    rngs = [random.Random(rng.random()) for _ in range(args.concurrency)]
    if args.http:
        token = args.token or os.environ.get("CALLCENTER_TOKEN")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        limits = httpx.Limits(max_connections=args.concurrency)
        async with httpx.AsyncClient(
            base_url=args.http, headers=headers, limits=limits, timeout=10
        ) as http:
            started = time.perf_counter()
            until = started + args.seconds
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
        if args.connect:
            host, _, port_text = args.connect.rpartition(":")
            port = int(port_text)
        else:
            if args.database_url:
                service, db = db_service(args.database_url, args.deadline_ms / 1000)
            else:
                service = RoutingService(
                    rules=load_rules(None),
                    snapshots=InMemorySnapshots(customers(args.customers, rng)),
                    deadline_s=args.deadline_ms / 1000,
                )
            server = await start_agi_server(service, "127.0.0.1", 0)
            host, port = server.host, server.port
        started = time.perf_counter()
        until = started + args.seconds
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
    elapsed = time.perf_counter() - started
    if server is not None:
        await server.stop()
    if db is not None:
        await db.aclose()
    latencies = sorted(ms * 1000 for ms, _ in results)
    p50 = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    fallbacks = sum(1 for _, fb in results if fb)
    via = "http" if args.http else "agi"
    source = "database" if args.database_url else "memory"
    print(
        f"calls={len(results)} concurrency={args.concurrency} rate={args.rate} "
        f"seconds={elapsed:.2f} "
        f"via={via} callers={source}"
    )
    print(
        f"route_p50_ms={p50:.2f} route_p99_ms={p99:.2f} "
        f"routes_per_s={len(results) / elapsed:.0f} fallbacks={fallbacks}"
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
    asyncio.run(main(parser.parse_args()))
