"""The routing hook where the shipped dialplan calls it ([cc-route] exten s, entry point as
agi_arg_1) against the real FastAGI server, and the preferred agent dialled before Queue()."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

from sim_client import running
from sim_features import Tap, by_channel, tap

from callcenter.adapters.agi import start_agi_server
from callcenter.domain.routing.inputs import GroupStaff, LiveAgents
from callcenter.services.routing import RoutingService, load_rules
from callcenter.services.routing_sources import InMemorySnapshots
from callcenter.sim.model import DEFAULT_QUEUES
from callcenter.sim.server import SimulatedAsterisk

MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SCALE = 0.05


class EveryoneIn:
    """Every agent of the default floor is logged in and free."""

    async def live_agents(self) -> LiveAgents:
        return {
            q: GroupStaff(frozenset(ext for ext, _ in members))
            for q, (_s, _w, _weight, members) in DEFAULT_QUEUES.items()
        }


@asynccontextmanager
async def routing_hook() -> AsyncIterator[str]:
    """The project's own FastAGI server; yields its agi:// URL."""
    service = RoutingService(
        rules=load_rules(None), snapshots=InMemorySnapshots(), presence=EveryoneIn()
    )
    server = await start_agi_server(service, "127.0.0.1", 0, clock=lambda: MONDAY_10)
    try:
        yield f"agi://127.0.0.1:{server.port}/route"
    finally:
        await server.stop()


async def settle(sim: SimulatedAsterisk, t: Tap) -> None:
    await asyncio.wait_for(sim.wait_idle(), 30)
    t.act(Action="Ping", ActionID="settle")
    await t.response("settle")


async def test_calls_into_8002_and_8006_reach_their_own_queues() -> None:
    async with (
        routing_hook() as agi,
        running(time_scale=SCALE, agi=agi, record_calls=False) as (sim, port),
        tap(port) as t,
    ):
        sim.place_call("+8613912345678", "Zhao Min", "8002", agent_answers_after=1, talk_s=2)
        sim.place_call("+8613611112222", "Wu Gang", "8006", agent_answers_after=1, talk_s=2)
        await settle(sim, t)
    queues = sorted(m["Queue"] for m in t.events if m["Event"] == "QueueCallerJoin")
    assert queues == ["finance", "online-service"]
    reasons = [
        m["Value"] for m in t.events if m["Event"] == "VarSet" and m["Variable"] == "CC_REASON"
    ]
    assert reasons and not [r for r in reasons if "unknown" in r.lower()]


async def bare_session(agi: str, env: dict[str, str]) -> dict[str, str]:
    """One FastAGI session as Asterisk sends it; the variables the server set."""
    port = int(agi.rsplit(":", 1)[1].split("/")[0])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write("".join(f"{k}: {v}\n" for k, v in env.items()).encode() + b"\n")
    found: dict[str, str] = {}
    async with asyncio.timeout(10):
        while line := (await reader.readline()).decode().strip():
            words = line.split(" ", 3)
            found[words[2]] = words[3].strip('"') if len(words) > 3 else ""
            writer.write(b"200 result=1\n")
    writer.close()
    return found


async def test_bare_session_from_cc_route_uses_agi_arg_1_as_the_entry_point() -> None:
    env = {
        "agi_network": "yes",
        "agi_network_script": "route",
        "agi_request": "agi://127.0.0.1:4573/route",
        "agi_channel": "Local/s@caller-sim-00000000;1",
        "agi_uniqueid": "1796306703.0",
        "agi_callerid": "+85291234567",
        "agi_callingpres": "0",
        "agi_dnid": "unknown",
        "agi_context": "cc-route",
        "agi_extension": "s",
        "agi_priority": "4",
        "agi_arg_1": "8006",
        "agi_arg_2": "",
    }
    async with routing_hook() as agi:
        assert (await bare_session(agi, env))["CC_QUEUE"] == "finance"
        # A carrier DNID with the entry point as the argument: still the argument.
        assert (await bare_session(agi, env | {"agi_dnid": "4008001234"}))["CC_QUEUE"] == "finance"
        env.pop("agi_arg_1")
        env.pop("agi_arg_2")
        # Without the argument there is nothing to go on but the default entry point.
        assert (await bare_session(agi, env))["CC_QUEUE"] == "member-hotline"


@asynccontextmanager
async def fake_hook(preferred: str) -> AsyncIterator[str]:
    """A FastAGI hook that names a preferred agent for every call."""
    answer = [
        "SET VARIABLE CC_QUEUE member-hotline",
        'SET VARIABLE CC_REASON "returning caller"',
        f"SET VARIABLE CC_PREFERRED_AGENT {preferred}",
    ]

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while (await reader.readline()).strip():
            pass
        for command in answer:
            writer.write(command.encode() + b"\n")
            await reader.readline()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield f"agi://127.0.0.1:{server.sockets[0].getsockname()[1]}/route"
    finally:
        server.close()


async def test_free_preferred_agent_is_dialled_directly_before_the_queue() -> None:
    async with (
        fake_hook("1002") as agi,
        running(time_scale=SCALE, agi=agi, record_calls=False) as (sim, port),
        tap(port) as t,
    ):
        linkedid = sim.place_call(
            "+8613800138000", "Li Wei", "8001", answer_by="1002", agent_answers_after=2, talk_s=3
        )
        await settle(sim, t)
    names = [m["Event"] for m in t.events]
    assert "QueueCallerJoin" not in names and "AgentCalled" not in names
    begin = next(m for m in t.events if m["Event"] == "DialBegin" and m.get("Channel"))
    assert begin["DestChannel"].startswith("Local/1002@agents-")
    assert begin["DialString"] == "1002@agents/n" and begin["Linkedid"] == linkedid
    end = next(m for m in t.events if m["Event"] == "DialEnd" and m.get("Channel"))
    assert end["DialStatus"] == "ANSWER"
    states = [
        m["State"]
        for m in t.events
        if m["Event"] == "DeviceStateChange" and m["Device"] == "Custom:agent1002"
    ]
    assert states == ["RINGING", "INUSE", "NOT_INUSE"]
    legs = by_channel(t.events)
    assert legs["Local/1002@agents;1"] == ["BridgeEnter", "BridgeLeave", "Hangup"]
    assert legs["Local/s@caller-sim;1"][-2:] == ["BridgeLeave", "Hangup"]


async def test_preferred_agent_who_does_not_answer_lets_the_call_go_on_to_the_queue() -> None:
    async with (
        fake_hook("1002") as agi,
        running(time_scale=SCALE, agi=agi, record_calls=False) as (sim, port),
        tap(port) as t,
    ):
        sim.place_call(
            "+8613800138000", "Li Wei", "8001", answer_by="1001", agent_answers_after=2, talk_s=3
        )
        await settle(sim, t)
    ends = [m["DialStatus"] for m in t.events if m["Event"] == "DialEnd" and m.get("Channel")]
    assert ends[0] == "NOANSWER"
    order = [
        m["Event"]
        for m in t.events
        if m["Event"] in ("DialEnd", "QueueCallerJoin", "AgentConnect") and m.get("Channel")
    ]
    assert order[:2] == ["DialEnd", "QueueCallerJoin"]
    connect = next(m for m in t.events if m["Event"] == "AgentConnect")
    assert connect["MemberName"] == "Wang Fang"


async def test_busy_preferred_agent_is_not_dialled() -> None:
    async with (
        fake_hook("1002") as agi,
        running(time_scale=SCALE, agi=agi, record_calls=False) as (sim, port),
        tap(port) as t,
    ):
        sim.model.agents["Local/1002@agents/n"].status = "2"  # on another call
        sim.place_call(
            "+8613800138000", "Li Wei", "8001", answer_by="1001", agent_answers_after=1, talk_s=1
        )
        await settle(sim, t)
    first = next(
        m for m in t.events if m["Event"] in ("DialBegin", "QueueCallerJoin") and m.get("Channel")
    )
    assert first["Event"] == "QueueCallerJoin"
