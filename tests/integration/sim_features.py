"""Helpers to compare the simulator's AMI stream, read over a real socket, with a recording."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sim_client import raw_session, read_msg, send

from callcenter.sim.server import SimulatedAsterisk
from support import TRACES

FEATURES = TRACES / "features"
SCALE = 0.1  # 1 simulated second = 100 ms (room for a loaded machine)
# Events whose order on each channel a state machine depends on.
KEY = {
    "QueueCallerJoin",
    "QueueCallerAbandon",
    "QueueCallerLeave",
    "AgentCalled",
    "AgentConnect",
    "AgentComplete",
    "AgentRingNoAnswer",
    "DialBegin",
    "DialEnd",
    "BridgeEnter",
    "BridgeLeave",
    "Hangup",
    "BlindTransfer",
    "AttendedTransfer",
    "Hold",
    "MixMonitorStart",
    "MixMonitorMute",
    "MixMonitorStop",
    "ChanSpyStart",
    "ChanSpyStop",
    "OriginateResponse",
}
FACT_VARS = {
    "QUEUESTATUS",
    "DIALSTATUS",
    "AMDSTATUS",
    "AMDCAUSE",
    "MIXMONITOR_FILENAME",
    "QUEUE_WITHDRAW_INFO",
}
_TAG = re.compile(r"-[0-9a-f]{8}(;[12])$")


def role(channel: str) -> str:
    """A channel name without its per-call tag: Local/1001@agents-00000003;1 -> …agents;1."""
    return _TAG.sub(r"\1", channel)


def owner(msg: dict[str, str]) -> str:
    """The channel an event is about (the caller for Agent*/Dial*, the spyer for ChanSpy*)."""
    for key in ("Channel", "SpyerChannel", "TransfereeChannel", "DestChannel"):
        if msg.get(key):
            return role(msg[key])
    return ""


def by_channel(events: list[dict[str, str]], keys: set[str] = KEY) -> dict[str, list[str]]:
    """Key event names in order, per channel role."""
    out: dict[str, list[str]] = {}
    for msg in events:
        name = msg.get("Event", "")
        if name in keys:
            out.setdefault(owner(msg), []).append(name)
    return out


def facts(events: list[dict[str, str]]) -> list[tuple[str, str]]:
    """The VarSets a backend reads, in order: (variable, value)."""
    return [
        (m["Variable"], m["Value"])
        for m in events
        if m.get("Event") == "VarSet" and m.get("Variable") in FACT_VARS
    ]


def recorded(name: str) -> list[dict[str, str]]:
    """The events of a features recording (no login events)."""
    out = []
    for line in (FEATURES / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
        msg = json.loads(line).get("msg")
        if msg and "Event" in msg and msg["Event"] not in ("FullyBooted", "SuccessfulAuth"):
            out.append(msg)
    return out


def sent(name: str) -> list[dict[str, Any]]:
    """The actions the recorder sent, in order (Login and Logoff left out)."""
    out = []
    for line in (FEATURES / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
        action = json.loads(line).get("sent")
        if action and action["Action"] not in ("Login", "Logoff"):
            out.append(action)
    return out


@dataclass
class Tap:
    """Everything one AMI session receives, events and responses apart."""

    events: list[dict[str, str]] = field(default_factory=list)
    responses: list[dict[str, str]] = field(default_factory=list)
    writer: asyncio.StreamWriter | None = None

    def act(self, **headers: str | list[str]) -> None:
        """Send an action (a list value repeats the header, as for Variable)."""
        assert self.writer is not None
        lines = []
        for key, value in headers.items():
            for item in value if isinstance(value, list) else [value]:
                lines.append(f"{key}: {item}\r\n")
        self.writer.write(("".join(lines) + "\r\n").encode())

    async def response(self, action_id: str, wait_s: float = 5.0) -> dict[str, str]:
        """The response to our action with this ActionID."""
        async with asyncio.timeout(wait_s):
            while True:
                for r in self.responses:
                    if r.get("ActionID") == action_id:
                        return r
                await asyncio.sleep(0.01)

    async def event(self, name: str, wait_s: float = 10.0, **match: str) -> dict[str, str]:
        """The first event called `name` whose fields match."""
        async with asyncio.timeout(wait_s):
            while True:
                for m in self.events:
                    if m["Event"] == name and all(m.get(k) == v for k, v in match.items()):
                        return m
                await asyncio.sleep(0.01)


@asynccontextmanager
async def tap(port: int) -> AsyncIterator[Tap]:
    """A logged-in raw AMI session whose messages are collected in the background."""
    got = Tap()
    async with raw_session(port) as (reader, writer):
        got.writer = writer

        async def pump() -> None:
            while True:
                try:
                    msg = dict(await read_msg(reader, wait_s=3600))
                except EOFError:
                    return  # the simulator stopped
                (got.events if "Event" in msg else got.responses).append(msg)

        task = asyncio.create_task(pump())
        try:
            yield got
        finally:
            task.cancel()
            send(writer, Action="Logoff")


async def settle(sim: SimulatedAsterisk, t: Tap) -> None:
    """Every call has played out and every event it sent has reached us."""
    await asyncio.wait_for(sim.wait_idle(), 30)
    ping = f"settle-{len(t.responses)}"
    t.act(Action="Ping", ActionID=ping)
    await t.response(ping)  # the same stream: everything sent before is in
