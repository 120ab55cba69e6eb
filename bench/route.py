"""FastAGI routing round trips: C concurrent Asterisk-like clients for S seconds.

Starts a FastAGI server on a free loopback port with an in-memory snapshot source (or, with
--connect HOST:PORT, drives a server that is already running) and replays the agi_* environment
of a real session with varying callers and entry points. The last line is
`route_p50_ms=… route_p99_ms=… routes_per_s=… fallbacks=…`.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from callcenter.adapters.agi import AgiServer, start_agi_server
from callcenter.domain.routing import CustomerSnapshot, OpenComplaint, ServedBy
from callcenter.services.routing import InMemorySnapshots, RoutingService, load_rules

SEGMENTS = ("regular", "regular", "senior", "vip")


def customers(n: int, rng: random.Random) -> dict[str, CustomerSnapshot]:
    """n known callers with a realistic mix of segments, complaints and past agents."""
    now = datetime.now(UTC)
    out = {}
    for i in range(n):
        complaints = ()
        if rng.random() < 0.1:
            complaints = (OpenComplaint(i, "documents", "1008", now - timedelta(days=3)),)
        out[f"+86138{i:08d}"] = CustomerSnapshot(
            customer_id=i + 1,
            segment=rng.choice(SEGMENTS),  # type: ignore[arg-type]
            open_complaints=complaints,
            last_agents=(ServedBy(f"10{rng.randint(1, 10):02d}", now - timedelta(days=2)),),
        )
    return out


def environment(rng: random.Random, n: int, seq: int) -> bytes:
    caller = f"+86138{rng.randrange(n * 2):08d}"  # about half are unknown numbers
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
) -> None:
    seq = 0
    while time.perf_counter() < until:
        seq += 1
        results.append(await one_call(host, port, environment(rng, n, seq)))


async def main(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    server: AgiServer | None = None
    if args.connect:
        host, _, port_text = args.connect.rpartition(":")
        port = int(port_text)
    else:
        service = RoutingService(
            rules=load_rules(None),
            snapshots=InMemorySnapshots(customers(args.customers, rng)),
            deadline_s=args.deadline_ms / 1000,
        )
        server = await start_agi_server(service, "127.0.0.1", 0)
        host, port = server.host, server.port
    results: list[tuple[float, bool]] = []
    started = time.perf_counter()
    until = started + args.seconds
    await asyncio.gather(
        *(
            client(host, port, until, random.Random(rng.random()), args.customers, results)
            for _ in range(args.concurrency)
        )
    )
    elapsed = time.perf_counter() - started
    if server is not None:
        await server.stop()
    latencies = sorted(ms * 1000 for ms, _ in results)
    p50 = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    fallbacks = sum(1 for _, fb in results if fb)
    print(f"calls={len(results)} concurrency={args.concurrency} seconds={elapsed:.2f}")
    print(
        f"route_p50_ms={p50:.2f} route_p99_ms={p99:.2f} "
        f"routes_per_s={len(results) / elapsed:.0f} fallbacks={fallbacks}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--deadline-ms", type=int, default=150)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--connect", default=None, help="HOST:PORT of a running FastAGI server")
    asyncio.run(main(parser.parse_args()))
