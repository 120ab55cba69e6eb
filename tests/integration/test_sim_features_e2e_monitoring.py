"""End to end, monitoring: ChanSpy sessions and call recordings, played by the simulator, captured,
and read by `callcenter replay`."""

from __future__ import annotations

from pathlib import Path

from sim_features import Tap, sent
from sim_replay import play

from callcenter.sim.server import SimulatedAsterisk


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
