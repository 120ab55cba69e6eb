"""Agent desktops for the latency benches, in a process of their own: each logs in over the
websocket and stamps when every screen-pop arrives (CLOCK_MONOTONIC, comparable across
processes on this machine)."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import random
import re
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
        self.outages: list[tuple[str, float, float]] = []  # (agent, socket lost, back on a node)
        self.resyncs = 0  # resumes the backend could not replay (the desktop must reload)
        self.pop_bytes: list[int] = []  # each screen_pop frame's length

    def result(self) -> dict[str, Any]:
        return {
            "arrivals": self.arrivals,
            "incomplete": len(set(self.arrivals) - self.complete),
            "refused": len(self.refused),
            "outages": self.outages,
            "resyncs": self.resyncs,
            "pop_bytes": sorted(self.pop_bytes)[len(self.pop_bytes) // 2] if self.pop_bytes else 0,
        }


_POSITION = re.compile(r'"seq":(\d+),"gen":"([^"]*)"')
FAILOVER_GIVE_UP_S = 30.0


async def _desk(code: str, ports: list[int], token: str, tally: DeskTally, failover: bool) -> None:
    """One agent desktop: a websocket that notes when each pop arrives (system-wide clock).

    With `failover`, a socket the backend drops is reopened on the next port in `ports` (a desktop
    behind a round-robin balancer), resuming with `since`/`gen` as the desktop page does; the time
    without a socket is noted. Without it, a dropped socket counts as refused.
    """
    position: tuple[int, str] | None = None
    lost_at: float | None = None
    attempt = 0
    while True:
        port = ports[attempt % len(ports)]
        try:
            async with websockets.connect(f"ws://127.0.0.1:{port}/ws/agent", max_queue=None) as ws:
                hello: dict[str, Any] = {"type": "hello", "token": token}
                if position is not None:
                    hello |= {"since": position[0], "gen": position[1]}
                await ws.send(json.dumps(hello))
                if lost_at is None:
                    tally.connected.append(code)
                else:
                    tally.outages.append((code, lost_at, time.monotonic()))
                    lost_at = None
                async for text in ws:
                    now = time.monotonic()
                    if found := _POSITION.search(text):
                        position = int(found[1]), found[2]
                    if '"screen_pop"' in text:
                        msg = json.loads(text)
                        tally.pop_bytes.append(len(text))
                        key = (msg["call"]["linkedid"], code)
                        tally.arrivals.setdefault(key, now)
                        if msg.get("complete", True):
                            tally.complete.add(key)
                    elif text.startswith('{"type":"resync"'):
                        tally.resyncs += 1
        except (OSError, websockets.WebSocketException):
            pass
        now = time.monotonic()
        if lost_at is None:
            lost_at = now
        if not failover or now - lost_at > FAILOVER_GIVE_UP_S:
            tally.refused.append(code)  # the backend closed it (token not checked in time, ...)
            return
        attempt += 1
        await asyncio.sleep(0.2 + random.random() * 0.3)  # no reconnect storm of our own


def _fleet_main(pipe: Connection, desks: list[tuple[str, list[int], str]], failover: bool) -> None:
    """A process of its own for the agents' sockets, so the simulator never delays a receipt."""

    async def main() -> None:
        tally = DeskTally()
        tasks = [asyncio.create_task(_desk(c, p, t, tally, failover)) for c, p, t in desks]
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

    def __init__(self, desks: list[tuple[str, list[int], str]], failover: bool = False) -> None:
        """`desks`: (agent code, ports to try in turn, token); see `_desk` for `failover`."""
        self._pipe, child = multiprocessing.get_context("spawn").Pipe()
        self._process = multiprocessing.get_context("spawn").Process(
            target=_fleet_main, args=(child, desks, failover), daemon=True
        )

    async def start(self) -> None:
        self._process.start()
        loop = asyncio.get_running_loop()
        ready = await asyncio.wait_for(loop.run_in_executor(None, self._pipe.recv), 120)
        if ready != "ready":
            raise SystemExit(f"agent sockets: {ready}")

    async def stop(self) -> dict[str, Any]:
        """{"arrivals": {(linkedid, code): t}, "incomplete": n, "refused": n, "outages": [...]}."""
        self._pipe.send("stop")
        loop = asyncio.get_running_loop()
        seen: dict[str, Any] = await asyncio.wait_for(
            loop.run_in_executor(None, self._pipe.recv), 60
        )
        self._process.join(10)
        return seen
