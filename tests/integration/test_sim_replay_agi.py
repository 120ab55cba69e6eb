"""Trace replay delivers recorded bytes; the FastAGI hook decides the queue; the generator runs."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest
from sim_client import manager, next_event, raw_session, running

from callcenter.sim.generator import Traffic, generate, read_callers, staff
from callcenter.sim.tracereplay import load_trace, replay, replayable, split_messages
from support import TRACES


def expected_events(name: str) -> bytes:
    return b"".join(m.data for m in load_trace(TRACES / f"{name}.ami") if replayable(m))


async def test_replay_delivers_the_recorded_event_bytes() -> None:
    want = expected_events("answered_caller_hangs_up")
    async with running() as (sim, port), raw_session(port) as (reader, _w):
        sent = await replay(sim, TRACES / "answered_caller_hangs_up.ami", speed=0)
        got = await asyncio.wait_for(reader.readexactly(len(want)), 5)
    assert got == want
    assert sent == want.count(b"\r\n\r\n")
    assert b"Event: AgentConnect\r\n" in got and b"Response:" not in got


async def test_replay_keeps_the_recorded_pace_scaled() -> None:
    async with running() as (sim, port), raw_session(port) as (reader, _w):
        loop = asyncio.get_running_loop()
        began = loop.time()
        # answered_caller_hangs_up spans about 8 s of events; at 40x that is about 0.2 s.
        await replay(sim, TRACES / "answered_caller_hangs_up.ami", speed=40)
        took = loop.time() - began
        await asyncio.wait_for(
            reader.readexactly(len(expected_events("answered_caller_hangs_up"))), 5
        )
    assert took > 0.1


def test_bad_trace_files_are_refused(tmp_path: Path) -> None:
    not_ami = tmp_path / "x.ami"
    not_ami.write_bytes(b"HTTP/1.1 200 OK\r\n\r\n")
    with pytest.raises(ValueError, match="banner"):
        load_trace(not_ami)
    cut = tmp_path / "cut.ami"
    cut.write_bytes(b"Asterisk Call Manager/13.0.0\r\nEvent: Hangup\r\nChan")
    with pytest.raises(ValueError, match="middle"):
        split_messages(cut.read_bytes())


async def fake_agi_server(answer: list[str], seen: list[str]) -> asyncio.Server:
    """A FastAGI server that records the agi_* block and sends the given commands."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while (line := (await reader.readline()).decode().rstrip("\n")) != "":
            seen.append(line)
        for command in answer:
            writer.write(command.encode() + b"\n")
            await writer.drain()
            assert (await reader.readline()).startswith(b"200 result=1")
        writer.close()

    return await asyncio.start_server(handle, "127.0.0.1", 0)


async def test_agi_decides_the_queue_with_recorded_environment() -> None:
    seen: list[str] = []
    server = await fake_agi_server(
        [
            "SET VARIABLE CC_QUEUE finance",
            "SET VARIABLE CC_PRIORITY 5",
            'SET VARIABLE CC_REASON "routed by the test"',
        ],
        seen,
    )
    port = server.sockets[0].getsockname()[1]
    agi = f"agi://127.0.0.1:{port}/route"
    async with running(time_scale=0.01, agi=agi) as (sim, ami), manager(ami) as (_mgr, events):
        sim.place_call("+8613800138000", "Li Wei", "8001", agent_answers_after=1, talk_s=1)
        start = await next_event(events, "AGIExecStart")
        assert start["Command"] == "SET VARIABLE CC_QUEUE finance"
        assert (await next_event(events, "QueueCallerJoin"))["Queue"] == "finance"
    server.close()
    recorded = (TRACES / "answered_caller_hangs_up.agi.txt").read_text().splitlines()
    keys = [ln[3:].split(":")[0] for ln in recorded if ln.startswith("<< agi_")]
    # The shipped dialplan runs the hook from [cc-route] exten s with the entry point and the
    # menu choice as arguments (the recorded session came from [inbound] itself).
    assert [ln.split(":")[0] for ln in seen] == [*keys, "agi_arg_1", "agi_arg_2"]
    assert "agi_callerid: +8613800138000" in seen and "agi_arg_1: 8001" in seen
    assert "agi_context: cc-route" in seen and "agi_extension: s" in seen


@pytest.mark.parametrize("failure", ["refused", "silent"])
async def test_agi_failure_falls_back_to_the_entry_points_queue(failure: str) -> None:
    async def never_answers(reader: asyncio.StreamReader, _w: asyncio.StreamWriter) -> None:
        await reader.read()  # reads the agi_* block and then just sits there

    server = await asyncio.start_server(never_answers, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    if failure == "refused":
        server.close()
        await server.wait_closed()  # nothing listens there any more
    agi = f"agi://127.0.0.1:{port}/route"
    async with (
        running(time_scale=0.01, agi=agi, agi_timeout_s=0.3) as (sim, ami),
        manager(ami) as (_mgr, events),
    ):
        sim.place_call("+85291234567", "Chan Tai Man", "8006", agent_answers_after=1, talk_s=1)
        status = await next_event(events, "VarSet")
        while status["Variable"] != "AGISTATUS":
            status = await next_event(events, "VarSet")
        assert status["Value"] == "FAILURE"
        assert (await next_event(events, "QueueCallerJoin"))["Queue"] == "finance"
    server.close()


async def test_generator_places_calls_that_all_finish() -> None:
    async with running(time_scale=0.01, seed=7) as (sim, _port):
        staff(sim.model, 12)
        assert "Local/1012@agents/n" in {i for q in sim.model.queues.values() for i in q.members}
        placed = await generate(sim, Traffic(rate=2.0), duration_s=10)
        await asyncio.wait_for(sim.wait_idle(), 30)
    assert placed > 5
    assert not sim.model.channels  # every channel was hung up
    assert all(not q.waiting for q in sim.model.queues.values())


def test_callers_file_reading(tmp_path: Path) -> None:
    path = tmp_path / "callers.csv"
    path.write_text("# number,name\n+8613800138000,Li Wei\n,\n01062751234\n", encoding="utf-8")
    assert read_callers(path) == [("+8613800138000", "Li Wei"), (None, None), ("01062751234", None)]
    empty = tmp_path / "empty.csv"
    empty.write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no callers"):
        read_callers(empty)


def test_simulate_command_generates_and_exits() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "callcenter",
            "simulate",
            "--port",
            "0",
            "--rate",
            "5",
            "--duration",
            "20",
            "--time-scale",
            "0.005",
            "--seed",
            "3",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "simulated Asterisk AMI listening on 127.0.0.1:" in proc.stdout
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "callcenter",
            "simulate",
            "--port",
            "0",
            "--queues",
            "nope",
            "--duration",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 2 and "unknown queues: nope" in bad.stdout


async def test_simulate_command_replays_a_trace_to_a_logged_in_client() -> None:
    trace = TRACES / "abandoned_in_queue.ami"
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "callcenter",
        "simulate",
        "--port",
        "0",
        "--secret",
        "x",
        "--trace",
        str(trace),
        "--speed",
        "0",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    line = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
    port = int(line.rsplit(":", 1)[1])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"Action: Login\r\nUsername: callcenter\r\nSecret: x\r\n\r\n")
    want = expected_events("abandoned_in_queue")
    received = await asyncio.wait_for(reader.read(), 30)  # the command exits after replaying
    assert received.endswith(want)
    assert await asyncio.wait_for(proc.wait(), 30) == 0
    writer.close()
