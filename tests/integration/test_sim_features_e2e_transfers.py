"""End to end, transfers and queue exits: each played by the simulator over TCP, captured byte for
byte, then read by `callcenter replay`; the records show who took the call and by which legs."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sim_features import Tap
from sim_replay import attended, play, redirect, withdraw_only

from callcenter.sim.server import SimulatedAsterisk


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
    (call,) = await play(tmp_path, withdraw_only, record_calls=False)
    assert (call["direction"], call["outcome"]) == ("inbound", "callback_requested")


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
