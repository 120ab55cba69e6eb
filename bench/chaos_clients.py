"""The chaos bench's clients: agent desktops that reconnect and resume, the reconnect storm's
extra sockets (used by bench/chaos.py; the hook prober is chaos_prober.py)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import time
from typing import Any

import httpx
import websockets
from chaos_rig import Node, Tally, answering

from callcenter.sim.model import ENTRY_POINTS
from callcenter.sim.server import SimulatedAsterisk

REFETCHES: set[asyncio.Future[None]] = set()


async def desk(
    code: str, token: str, nodes: list[Node], tally: Tally, storm: asyncio.Event
) -> None:
    """One agent desktop: stays connected to some live process, resuming where it left off."""
    resume: dict[str, Any] = {}
    turn = random.Random(code)
    while True:
        live = [n for n in nodes if n.alive()] or nodes
        node = turn.choice(live)
        try:
            async with websockets.connect(
                f"ws://127.0.0.1:{node.http_port}/ws/agent", open_timeout=5
            ) as ws:
                await ws.send(json.dumps({"type": "hello", "token": token, **resume}))
                tally.desks.add(code)
                base = f"http://127.0.0.1:{node.http_port}"
                reading = asyncio.ensure_future(_read(ws, code, tally, resume, (base, token)))
                stormed = asyncio.ensure_future(storm.wait())
                try:
                    await asyncio.wait({reading, stormed}, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    stormed.cancel()
                    reading.cancel()
                    await asyncio.gather(stormed, reading, return_exceptions=True)
        except (OSError, websockets.WebSocketException, TimeoutError):
            pass
        await asyncio.sleep(0.2)


async def _read(
    ws: Any, code: str, tally: Tally, resume: dict[str, Any], desk_api: tuple[str, str]
) -> None:
    async for text in ws:
        msg = json.loads(text)
        if msg.get("type") == "screen_pop":
            tally.pops.add((msg["call"]["linkedid"], code))
        elif msg.get("type") == "resync":
            # As the desktop does (desktop.js onResync): what it missed comes from its desk.
            task = asyncio.ensure_future(_refetch_desk(code, tally, *desk_api))
            REFETCHES.add(task)
            task.add_done_callback(REFETCHES.discard)
        if "seq" in msg and "gen" in msg:
            resume.update(since=msg["seq"], gen=msg["gen"])


async def _refetch_desk(code: str, tally: Tally, base: str, token: str) -> None:
    """GET /api/agents/{code}/desk: a call ringing or connected there has its pop shown."""
    headers = {"Authorization": f"Bearer {token}"}
    with contextlib.suppress(httpx.HTTPError, ValueError, KeyError, TypeError):
        async with httpx.AsyncClient(timeout=5) as client:
            answer = await client.get(f"{base}/api/agents/{code}/desk", headers=headers)
        call = answer.json().get("call") if answer.status_code == 200 else None
        if call and call.get("pop") is not None:
            key = (call["linkedid"], code)
            if key not in tally.pops:
                tally.pops_from_desk += 1
            tally.pops.add(key)


async def extra_sockets(count: int, tokens: list[str], nodes: list[Node], tally: Tally) -> None:
    """`count` more desktops saying hello at once; a refusal (1013) is counted."""

    live = await answering(nodes)

    async def one(token: str) -> None:
        node = random.choice(live)
        tally.storm_sockets += 1
        try:
            async with websockets.connect(
                f"ws://127.0.0.1:{node.http_port}/ws/agent", open_timeout=10
            ) as ws:
                await ws.send(json.dumps({"type": "hello", "token": token}))
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(2.0):
                        async for _ in ws:
                            pass
        except websockets.ConnectionClosed as exc:
            if exc.rcvd is not None and exc.rcvd.code == 1013:
                tally.storm_refused += 1
        except (OSError, websockets.WebSocketException, TimeoutError):
            tally.storm_refused += 1

    await asyncio.gather(*(one(tokens[i % len(tokens)]) for i in range(count)))


async def traffic(args: argparse.Namespace, sim: SimulatedAsterisk) -> list[str]:
    """Calls at --rate per second for --seconds: answered, talking, some giving up."""
    rng = random.Random(args.seed + 1)
    entries = sorted(ENTRY_POINTS)
    placed: list[str] = []
    started = time.monotonic()
    i = 0
    while time.monotonic() - started < args.seconds:
        placed.append(
            sim.place_call(
                f"+86139{i:08d}",
                f"Caller {i}",
                entries[i % len(entries)],
                agent_answers_after=rng.uniform(1, 4),
                talk_s=rng.uniform(5, 60),
                caller_hangs_up_after=rng.uniform(20, 90),
            )
        )
        i += 1
        await asyncio.sleep(rng.expovariate(args.rate))
    return placed
