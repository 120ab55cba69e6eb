"""Agent desktops for the latency benches, in a process of their own: each logs in over the
websocket and stamps when every screen-pop arrives (CLOCK_MONOTONIC, comparable across
processes on this machine)."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import time
from multiprocessing.connection import Connection
from typing import Any

import websockets


class DeskTally:
    """What the desktops saw: first pop per (linkedid, agent), complete pops, refused sockets."""

    def __init__(self) -> None:
        self.arrivals: dict[tuple[str, str], float] = {}
        self.complete: set[tuple[str, str]] = set()
        self.connected: list[str] = []
        self.refused: list[str] = []  # could not connect, or closed by the backend during the run

    def result(self) -> dict[str, Any]:
        return {
            "arrivals": self.arrivals,
            "incomplete": len(set(self.arrivals) - self.complete),
            "refused": len(self.refused),
        }


async def _desk(code: str, port: int, token: str, tally: DeskTally) -> None:
    """One agent desktop: a websocket that notes when each pop arrives (system-wide clock)."""
    try:
        async with websockets.connect(f"ws://127.0.0.1:{port}/ws/agent", max_queue=None) as ws:
            await ws.send(json.dumps({"type": "hello", "token": token}))
            tally.connected.append(code)
            async for text in ws:
                now = time.monotonic()
                if '"screen_pop"' in text:
                    msg = json.loads(text)
                    key = (msg["call"]["linkedid"], code)
                    tally.arrivals.setdefault(key, now)
                    if msg.get("complete", True):
                        tally.complete.add(key)
        tally.refused.append(code)  # the backend closed it (token not checked in time, ...)
    except (OSError, websockets.WebSocketException):
        tally.refused.append(code)


def _fleet_main(pipe: Connection, desks: list[tuple[str, int, str]]) -> None:
    """A process of its own for the agents' sockets, so the simulator never delays a receipt."""

    async def main() -> None:
        tally = DeskTally()
        tasks = [asyncio.create_task(_desk(c, p, t, tally)) for c, p, t in desks]
        deadline = time.monotonic() + 60
        while len(tally.connected) + len(tally.refused) < len(desks):
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)  # the backend has checked the last tokens and subscribed them
        pipe.send("ready")  # refused sockets are counted, not hidden: the run goes on
        await asyncio.get_running_loop().run_in_executor(None, pipe.recv)  # "stop"
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        pipe.send(tally.result())

    asyncio.run(main())


class DeskFleet:
    """The agents' desktops, in a separate process; arrival times use CLOCK_MONOTONIC."""

    def __init__(self, desks: list[tuple[str, int, str]]) -> None:
        self._pipe, child = multiprocessing.get_context("spawn").Pipe()
        self._process = multiprocessing.get_context("spawn").Process(
            target=_fleet_main, args=(child, desks), daemon=True
        )

    async def start(self) -> None:
        self._process.start()
        loop = asyncio.get_running_loop()
        ready = await asyncio.wait_for(loop.run_in_executor(None, self._pipe.recv), 120)
        if ready != "ready":
            raise SystemExit(f"agent sockets: {ready}")

    async def stop(self) -> dict[str, Any]:
        """{"arrivals": {(linkedid, code): t}, "incomplete": n, "refused": n}."""
        self._pipe.send("stop")
        loop = asyncio.get_running_loop()
        seen: dict[str, Any] = await asyncio.wait_for(
            loop.run_in_executor(None, self._pipe.recv), 60
        )
        self._process.join(10)
        return seen
