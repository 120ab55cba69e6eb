"""The bare ceiling of a screen-pop run: the same rings, as frames of a pop's size, sent by a
websocket server that does nothing else, to the same number of desktop sockets.

A plain `websockets` server in a process of its own (as the backend is) holds one socket per
agent; it is given the run's rings (when each agent's phone rang, relative to the first) and at
each such moment sends that agent a `screen_pop`-shaped frame of --bare-frame-bytes. The desktops
are the same `DeskFleet` as in the real run and stamp arrivals the same way, so bare p99 and the
backend's p99 are the same measurement with and without the backend's work: their ratio can be
compared across runs on a noisy machine.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import statistics
import time
from multiprocessing.connection import Connection
from typing import Any

from desk_fleet import DeskFleet
from websockets.asyncio.server import ServerConnection, serve

Ring = tuple[float, str, str]  # (seconds after the first ring, linkedid, agent code)


def _server_main(pipe: Connection, frame_bytes: int) -> None:
    """Accept the desktops, then send each ring's frame at its moment; report when done."""

    async def main() -> None:
        sockets: dict[str, ServerConnection] = {}

        async def desk(ws: ServerConnection) -> None:
            hello = json.loads(await ws.recv())
            sockets[str(hello["token"])] = ws  # the bare desks' token is their agent code
            await ws.wait_closed()

        async with serve(desk, "127.0.0.1", 0, max_queue=None) as server:
            port = next(iter(server.sockets)).getsockname()[1]
            pipe.send(port)
            loop = asyncio.get_running_loop()
            rings: list[Ring] = await loop.run_in_executor(None, pipe.recv)
            pad = "x" * frame_bytes
            start = time.monotonic() + 0.5
            written: dict[tuple[str, str], float] = {}
            for offset, linkedid, code in rings:
                due = start + offset
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                ws = sockets.get(code)
                if ws is None:
                    continue
                frame = json.dumps(
                    {"type": "screen_pop", "call": {"linkedid": linkedid}, "pad": pad},
                    separators=(",", ":"),
                )
                written[(linkedid, code)] = due
                await ws.send(frame)
            pipe.send(written)
            await loop.run_in_executor(None, pipe.recv)  # "stop"

    asyncio.run(main())


async def bare_ceiling(
    written: dict[tuple[str, str], float], frame_bytes: int
) -> dict[str, float | None]:
    """Replay the rings of `written` through a bare server; its p50 / p99 / max in ms."""
    if not written:
        return {"bare_p50_ms": None, "bare_p99_ms": None, "bare_max_ms": None}
    first = min(written.values())
    rings = sorted((t - first, linkedid, code) for (linkedid, code), t in written.items())
    pipe, child = multiprocessing.get_context("spawn").Pipe()
    server = multiprocessing.get_context("spawn").Process(
        target=_server_main, args=(child, frame_bytes), daemon=True
    )
    server.start()
    loop = asyncio.get_running_loop()
    try:
        port = await asyncio.wait_for(loop.run_in_executor(None, pipe.recv), 30)
        codes = sorted({code for _, _, code in rings})
        fleet = DeskFleet([(code, [port], code) for code in codes])
        await fleet.start()
        pipe.send(rings)
        sent: dict[tuple[str, str], float] = await asyncio.wait_for(
            loop.run_in_executor(None, pipe.recv), rings[-1][0] + 60
        )
        await asyncio.sleep(1.0)  # the last frames arrive
        seen = await fleet.stop()
        pipe.send("stop")
    finally:
        server.join(5)
        if server.is_alive():
            server.kill()
    arrivals = seen["arrivals"]
    late = sorted((arrivals[key] - t) * 1000 for key, t in sent.items() if key in arrivals)
    if not late:
        return {"bare_p50_ms": None, "bare_p99_ms": None, "bare_max_ms": None}
    return {
        "bare_p50_ms": round(statistics.median(late), 2),
        "bare_p99_ms": round(late[min(len(late) - 1, int(len(late) * 0.99))], 2),
        "bare_max_ms": round(late[-1], 2),
    }


def ratio(figures: dict[str, Any]) -> float | None:
    """The run's pop p99 over the bare p99 of the same rings (1.0: no cost beyond the socket)."""
    pop, bare = figures.get("pop_p99_ms"), figures.get("bare_p99_ms")
    return round(pop / bare, 2) if pop and bare else None
