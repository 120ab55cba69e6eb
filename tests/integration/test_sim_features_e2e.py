"""End to end: each feature played by the simulator over TCP, captured byte for byte, then read
by `callcenter replay` (the state machine). These check the call record contract of issue 10
(direction, outcome, legs, transferred, monitored, recordings, amd); they fail where the state
machine does not yet read the new sequences."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
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


async def redirect(sim: SimulatedAsterisk, t: Tap) -> None:
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


async def attended(sim: SimulatedAsterisk, t: Tap) -> None:
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


async def test_redirect_is_a_transfer_with_both_legs(tmp_path: Path) -> None:
    (call,) = await play(tmp_path, redirect, record_calls=False)
    assert call["transferred"] is True
    assert [(leg["agent"], leg["queue"]) for leg in call["legs"]] == [
        ("Wang Fang", "member-hotline"),
        ("Wu Xia", "finance"),
    ]
    assert call["agent"] == "Wu Xia" and call["outcome"] == "answered"


async def test_attended_transfer_keeps_both_agents(tmp_path: Path) -> None:
    (call,) = await play(tmp_path, attended, record_calls=False)
    assert call["transferred"] is True
    assert [leg["agent"] for leg in call["legs"]] == ["Wang Fang", "Wu Xia"]
    assert call["agent"] == "Wu Xia"


async def test_withdrawn_caller_is_a_callback_request(tmp_path: Path) -> None:
    async def drive(sim: SimulatedAsterisk, t: Tap) -> None:
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

    (call,) = await play(tmp_path, drive, record_calls=False)
    assert (call["direction"], call["outcome"]) == ("inbound", "callback_requested")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "outbound_outcomes",
            [
                "answered",
                "busy",
                "no_answer",
                "congestion",
                "failed",
                "busy",
                "no_answer",
                "congestion",
                "failed",
                "answered",
            ],
        ),
        ("amd_outbound", ["answered", "machine"]),
    ],
)
async def test_originate_outcomes_are_outbound_calls(
    tmp_path: Path, name: str, expected: list[str]
) -> None:
    async def drive(sim: SimulatedAsterisk, t: Tap) -> None:
        for action in sent(name):
            t.act(**action)
            await t.response(action["ActionID"])
            await asyncio.wait_for(sim.wait_idle(), 60)

    calls = await play(tmp_path, drive, record_calls=False)
    assert [c["direction"] for c in calls] == ["outbound"] * len(expected)
    assert [c["outcome"] for c in calls] == expected
    if name == "amd_outbound":
        assert [c["amd"] for c in calls] == ["HUMAN", "MACHINE"]


async def test_chanspy_sessions_count_and_are_no_calls(tmp_path: Path) -> None:
    async def drive(sim: SimulatedAsterisk, t: Tap) -> None:
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

    (call,) = await play(tmp_path, drive, record_calls=False)
    assert call["monitored"] == 3


async def test_recordings_are_listed_by_base_name(tmp_path: Path) -> None:
    async def drive(sim: SimulatedAsterisk, t: Tap) -> None:
        sim.place_call(
            "+8613755556666", "Xie Na", "8001", answer_by="1001", agent_answers_after=2, talk_s=4
        )

    (call,) = await play(tmp_path, drive, recordings_dir=tmp_path / "monitor")
    assert call["recordings"] == [f"pbx1-{call['linkedid']}.wav"]  # as [cc-record] names it
    assert (tmp_path / "monitor" / call["recordings"][0]).is_file()


async def test_click_to_dial_as_the_shipped_agent_phone_rings_it_keeps_the_customer(
    tmp_path: Path,
) -> None:
    """[agent-phone] Dials the agent's own phone first (a real Asterisk showed it): that Dial
    is not the customer's; [outbound]'s Dial U(cc-record) names the recording as shipped."""

    async def drive(sim: SimulatedAsterisk, t: Tap) -> None:
        for n, (number, mode) in enumerate((("13812340001", "answer"), ("13812340002", "busy"))):
            t.act(
                Action="Originate",
                Channel="Local/1006@agent-phone/n",
                Context="outbound",
                Exten=number,
                Priority="1",
                CallerID='"Zhao Lei" <1006>',
                Variable=[f"PSTN_MODE={mode}", "PSTN_RING=1", "PSTN_TALK=3"],
                Async="true",
                ActionID=f"cc-dial-{n}",
            )
            await t.response(f"cc-dial-{n}")
            await asyncio.wait_for(sim.wait_idle(), 60)

    answered, busy = await play(tmp_path, drive, recordings_dir=tmp_path / "monitor")
    assert (answered["direction"], answered["outcome"]) == ("outbound", "answered")
    assert answered["caller"] == "+8613812340001"
    assert [(leg["agent"], leg["queue"]) for leg in answered["legs"]] == [("Zhao Lei", None)]
    assert answered["recordings"] == [f"pbx1-{answered['linkedid']}.wav"]
    assert (tmp_path / "monitor" / answered["recordings"][0]).is_file()
    assert (busy["direction"], busy["outcome"], busy["caller"]) == (
        "outbound",
        "busy",
        "+8613812340002",
    )
    assert busy["legs"] == [] and busy["recordings"] == []


async def test_preferred_agent_answering_directly_is_an_answered_call(tmp_path: Path) -> None:
    async def hook(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while (await reader.readline()).strip():
            pass
        for command in ("CC_QUEUE member-hotline", 'CC_REASON "vip"', "CC_PREFERRED_AGENT 1002"):
            writer.write(f"SET VARIABLE {command}\n".encode())
            await reader.readline()
        writer.close()

    server = await asyncio.start_server(hook, "127.0.0.1", 0)
    agi = f"agi://127.0.0.1:{server.sockets[0].getsockname()[1]}/route"

    async def drive(sim: SimulatedAsterisk, t: Tap) -> None:
        sim.place_call(
            "+8613800138000", "Li Wei", "8001", answer_by="1002", agent_answers_after=3, talk_s=5
        )

    try:
        (call,) = await play(tmp_path, drive, agi=agi, record_calls=False)
    finally:
        server.close()
    assert (call["outcome"], call["agent"]) == ("answered", "Zhang Wei")
    assert [(leg["agent"], leg["queue"]) for leg in call["legs"]] == [("Zhang Wei", None)]
    assert call["ring_attempts"] == 1  # the direct ring of the preferred agent
    # The wait of a direct Dial (ring start to answer) is timed by the live backend's clock; a
    # byte replay like this one only knows whole seconds from Uniqueids and DIALEDTIME_MS, and
    # nothing in the stream marks the instant of the answer (Asterisk's timestampevents is off
    # in the recordings), so the replay cannot show it; the live backend times it as it happens.


FACTS = ("direction", "outcome", "queues", "agent", "transferred", "legs", "monitored", "amd")


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


@pytest.mark.parametrize(
    ("name", "drive", "first_only"),
    [
        ("redirect_transfer", redirect, False),
        ("attended_transfer", attended, False),
        ("queued_callback", withdraw_only, True),
        ("outbound_outcomes", originates("outbound_outcomes"), False),
        ("amd_outbound", originates("amd_outbound"), False),
    ],
)
async def test_simulated_and_recorded_calls_make_the_same_records(
    tmp_path: Path, name: str, drive: Driver, first_only: bool
) -> None:
    ours = [facts_of(c) for c in await play(tmp_path, drive, record_calls=False)]
    theirs = [facts_of(c) for c in replayed(name)]
    if first_only:
        ours, theirs = ours[:1], theirs[:1]
    if name == "outbound_outcomes":
        for call in ours:  # the shipped [outbound-connect] runs AMD; the recorded one did not
            if call["amd"] == "HUMAN":
                call["amd"] = None
    assert ours == theirs
