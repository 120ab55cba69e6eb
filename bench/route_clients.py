"""Asterisk-like routing clients for bench/route.py: FastAGI sessions replaying a real session's
agi_* environment, and HTTP hook requests, one at a time per client or started at a fixed rate."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable

import httpx
from bare_hooks import agi_session_done, keep_agi_line, keep_http_body


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
        keep_agi_line(line)
        writer.write(b"200 result=1\n")
    writer.close()
    agi_session_done()
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
    keep_http_body(reply.content)
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
