"""The chaos bench's clients: agent desktops that reconnect and resume, the reconnect storm's
extra sockets, the FastAGI prober on its own thread (used by bench/chaos.py)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import threading
import time
from typing import Any

import httpx
import websockets
from chaos_rig import Node, Tally, answering

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


def start_prober(nodes: list[Node], deadline_s: float, tally: Tally) -> threading.Event:
    """The hook prober on a thread with its own event loop, as Asterisk is its own process: the
    bench's own work (desktops reconnecting, the storm, the proxy) stalls this loop by up to
    ~200 ms at times, which the prober's clock would otherwise count against the hook.
    Set the returned event to stop it."""
    stop = threading.Event()
    threading.Thread(
        target=asyncio.run, args=(hook_prober(nodes, deadline_s, tally, stop),), daemon=True
    ).start()
    return stop


async def hook_prober(
    nodes: list[Node], deadline_s: float, tally: Tally, stop: threading.Event
) -> None:
    """A FastAGI routing request 5 times a second to a live process; late answers counted."""
    rng = random.Random(3)
    while not stop.is_set():
        await asyncio.sleep(0.2)
        live = [n for n in nodes if n.alive()]
        if not live:
            continue
        node = rng.choice(live)
        start = time.monotonic()
        try:
            async with asyncio.timeout(5):
                reader, writer = await asyncio.open_connection("127.0.0.1", node.agi_port)
                env = (
                    "agi_network_script: route\nagi_request: agi://127.0.0.1/route\n"
                    f"agi_callerid: +86139{rng.randrange(10**8):08d}\nagi_calleridname: X\n"
                    "agi_extension: 8001\nagi_arg_1: 8001\nagi_arg_2: \n\n"
                )
                writer.write(env.encode())
                await writer.drain()
                first = await reader.readline()
                took = time.monotonic() - start
                while first:
                    writer.write(b"200 result=1\n")
                    await writer.drain()
                    first = await reader.readline()
                writer.close()
        except (OSError, TimeoutError):
            tally.hook_failed += 1
            continue
        tally.hook_answers += 1
        tally.hook_ms.append(took * 1000)
        if took > deadline_s:
            tally.hook_late += 1
            tally.late_at.append((round(start - tally.t0, 1), round(took * 1000)))
