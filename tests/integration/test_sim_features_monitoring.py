"""The simulator over real TCP plays monitoring the way the recorded Asterisk did: MixMonitor
from the queue and from AMI, and a supervisor's ChanSpy leg."""

from __future__ import annotations

import wave
from pathlib import Path

from sim_client import running
from sim_features import SCALE, by_channel, facts, recorded, settle, tap
from sim_replay import three_spies


async def test_mixmonitor_from_the_queue_gosub_and_from_ami_as_recorded(tmp_path: Path) -> None:
    spool = tmp_path / "monitor"
    async with running(time_scale=SCALE, recordings_dir=spool) as (sim, port), tap(port) as t:
        sim.place_call(
            "+8613755556666", "Xie Na", "8001", answer_by="1001", agent_answers_after=2, talk_s=12
        )
        connect = await t.event("AgentConnect")
        agent = connect["DestChannel"]
        for n, (action, extra) in enumerate(
            [
                ("MixMonitorMute", {"Direction": "both", "State": "1"}),
                ("MixMonitorMute", {"Direction": "both", "State": "0"}),
                ("StopMixMonitor", {}),
            ]
        ):
            await sim.sleep(2)
            t.act(Action=action, Channel=agent, ActionID=f"m{n}", **extra)
            assert await t.response(f"m{n}") == {"Response": "Success", "ActionID": f"m{n}"}
        await settle(sim, t)
        sim.model.queues["online-service"].members["Local/1004@agents/n"].paused = True
        sim.place_call(
            "+8618866667777",
            "Qian Lu",
            "8002",
            answer_by="1005",
            agent_answers_after=2,
            talk_s=8,
            hangup_by="agent",
        )
        second = await t.event("AgentConnect", Queue="online-service")
        sim.recorder.stop(sim.model.channels[second["DestChannel"]])  # only the AMI one stays
        t.act(
            Action="MixMonitor",
            Channel=second["DestChannel"],
            File="cc-ami-8618866667777.wav",
            Options="b",
            ActionID="m9",
        )
        assert await t.response("m9") == {"Response": "Success", "ActionID": "m9"}
        await settle(sim, t)
    theirs = recorded("mixmonitor_recording")
    mix = {"MixMonitorStart", "MixMonitorMute", "MixMonitorStop", "AgentConnect"}
    first_agent = "Local/1001@agents;1"
    assert by_channel(t.events, mix)[first_agent] == by_channel(theirs, mix)[first_agent]
    starts = [m for m in t.events if m["Event"] == "MixMonitorStart"]
    assert starts[0]["Context"] == "cc-record"  # the shipped Queue() gosub, before AgentConnect
    names = [v for k, v in facts(t.events) if k == "MIXMONITOR_FILENAME"]
    linkedid = connect["Linkedid"]
    assert names[0] == str(spool / f"pbx1-{linkedid}.wav")  # [cc-record]: ${CC_PBX}-<linkedid>
    assert names[-1] == str(spool / "cc-ami-8618866667777.wav")
    for name in (names[0], names[-1]):
        with wave.open(name) as wav:  # a real, playable file
            assert wav.getframerate() == 8000 and wav.getnframes() > 0
    mutes = [m["State"] for m in t.events if m["Event"] == "MixMonitorMute"]
    assert mutes == ["1", "0"]


async def test_chanspy_supervisor_leg_as_recorded() -> None:
    async with running(time_scale=SCALE, record_calls=False) as (sim, port), tap(port) as t:
        connect = await three_spies(sim, t)
        await settle(sim, t)
    theirs = recorded("chanspy_supervisor")
    spy = {"ChanSpyStart", "ChanSpyStop", "OriginateResponse", "Hangup", "DialBegin", "DialEnd"}
    assert by_channel(t.events, spy) == by_channel(theirs, spy)
    starts = [m for m in t.events if m["Event"] == "ChanSpyStart"]
    assert len(starts) == 3
    for start in starts:
        assert start["SpyeeChannel"] == connect["DestChannel"]
        assert start["SpyerLinkedid"] != connect["Linkedid"]  # the supervisor is no call leg
    assert list(starts[0]) == list(next(m for m in theirs if m["Event"] == "ChanSpyStart"))
