"""Each feature played by the simulator over TCP, captured byte for byte, then read by `callcenter
replay` (the state machine), for the end-to-end tests of the call record contract of issue 10
(direction, outcome, legs, transferred, monitored, recordings, amd); and the same read of the
features recordings, to compare with."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sim_client import SECRET, running
from sim_features import Tap, sent, tap

from callcenter.cli import main
from callcenter.sim.server import SimulatedAsterisk

SCALE = 0.1


@asynccontextmanager
async def capture(port: int, into: bytearray) -> AsyncIterator[None]:
    """Every byte one AMI session receives, from the banner on."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    data = into
    data.extend(await reader.readline())
    writer.write(f"Action: Login\r\nUsername: callcenter\r\nSecret: {SECRET}\r\n\r\n".encode())

    async def pump() -> None:
        while chunk := await reader.read(65536):
            data.extend(chunk)

    task = asyncio.create_task(pump())
    try:
        yield
    finally:
        writer.write(b"Action: Logoff\r\n\r\n")
        await asyncio.wait_for(task, 10)
        writer.close()


Driver = Callable[[SimulatedAsterisk, Tap], Coroutine[Any, Any, None]]


async def play(tmp_path: Path, drive: Driver, **options: Any) -> list[dict[str, Any]]:
    """Run one scenario, capture it, and return `callcenter replay`'s calls (whole and 1 byte)."""
    trace = tmp_path / "sim.ami"
    data = bytearray()
    async with (
        running(time_scale=SCALE, **options) as (sim, port),
        capture(port, data),
        tap(port) as t,
    ):
        await drive(sim, t)
        await asyncio.wait_for(sim.wait_idle(), 60)
        t.act(Action="Ping", ActionID="settle")
        await t.response("settle")
    trace.write_bytes(bytes(data))
    outputs = []
    for extra in ([], ["--chunk-size", "1"]):
        out = tmp_path / "out.txt"
        import contextlib
        import io

        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            assert main(["replay", str(trace), *extra]) == 0
        out.write_text(buf.getvalue())
        outputs.append([json.loads(line) for line in buf.getvalue().splitlines()])
    assert outputs[0] == outputs[1]
    return [c for c in outputs[0] if "summary" not in c]


async def redirect(sim: SimulatedAsterisk, t: Tap) -> dict[str, str]:
    """The agent's call redirected to the finance entry point; the AgentConnect before it."""
    sim.place_call(
        "+8613566667777",
        "Ma Jun",
        "8001",
        answer_by=("1001", "1009"),
        agent_answers_after=2,
        talk_s=6,
        hangup_by="agent",
    )
    connect = await t.event("AgentConnect")
    await sim.sleep(3)
    t.act(
        Action="Redirect",
        Channel=connect["Channel"],
        Context="cc-transfer",
        Exten="7006",
        Priority="1",
        ActionID="r1",
    )
    return connect


async def attended(sim: SimulatedAsterisk, t: Tap) -> dict[str, str]:
    """An attended transfer to finance (Atxfer); the AgentConnect before it."""
    sim.place_call(
        "+8613822223333",
        "Gao Yan",
        "8001",
        answer_by=("1001", "1009"),
        agent_answers_after=2,
        talk_s=8,
        hangup_by="agent",
    )
    connect = await t.event("AgentConnect")
    await sim.sleep(3)
    t.act(
        Action="Atxfer",
        Channel=connect["DestChannel"],
        Exten="7006",
        Context="cc-transfer",
        ActionID="x1",
    )
    return connect


FACTS = ("direction", "outcome", "queues", "agent", "transferred", "legs", "monitored", "amd")


async def three_spies(sim: SimulatedAsterisk, t: Tap) -> dict[str, str]:
    """A supervisor's three ChanSpy sessions (as recorded) on an agent's call, one after another."""
    sim.place_call(
        "+8613644445555",
        "Song Jia",
        "8001",
        answer_by="1001",
        agent_answers_after=2,
        talk_s=24,
        hangup_by="agent",
    )
    connect = await t.event("AgentConnect")
    for n, action in enumerate(sent("chanspy_supervisor")):
        await sim.sleep(1)
        data = action["Data"].replace("Local/1001@agents-00000001;1", connect["DestChannel"])
        t.act(**{**action, "Data": data, "ActionID": f"s{n}"})
        await t.event(
            "ChanSpyStop", wait_s=20, SpyerChannel=f"Local/2001@supervisor-0000000{n + 2};1"
        )
    return connect


def facts_of(call: dict[str, Any]) -> dict[str, Any]:
    """What a record says about a call, timing left out."""
    out = {k: call.get(k) for k in FACTS}
    if isinstance(out["legs"], list):
        out["legs"] = [(leg.get("agent"), leg.get("queue")) for leg in out["legs"]]
    return out


def replayed(name: str) -> list[dict[str, Any]]:
    """`callcenter replay` of a features recording."""
    import contextlib
    import io

    from support import TRACES

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["replay", str(TRACES / "features" / f"{name}.ami")]) == 0
    return [c for c in map(json.loads, buf.getvalue().splitlines()) if "summary" not in c]


async def withdraw_only(sim: SimulatedAsterisk, t: Tap) -> None:
    for ext in ("1001", "1002", "1003"):
        sim.model.queues["member-hotline"].members[f"Local/{ext}@agents/n"].paused = True
    sim.place_call("+8613588889999", "Fan Bing", "8001")
    join = await t.event("QueueCallerJoin")
    await sim.sleep(5)
    t.act(
        Action="QueueWithdrawCaller",
        Queue="member-hotline",
        Caller=join["Channel"],
        WithdrawInfo="callback-requested",
        ActionID="w1",
    )


def originates(name: str) -> Driver:
    async def drive(sim: SimulatedAsterisk, t: Tap) -> None:
        for action in sent(name):
            t.act(**action)
            await t.response(action["ActionID"])
            await asyncio.wait_for(sim.wait_idle(), 60)

    return drive
