"""End to end, monitoring: ChanSpy sessions and call recordings, played by the simulator, captured,
and read by `callcenter replay`."""

from __future__ import annotations

from pathlib import Path

from sim_features import Tap
from sim_replay import play, three_spies

from callcenter.sim.server import SimulatedAsterisk


async def test_chanspy_sessions_count_and_are_no_calls(tmp_path: Path) -> None:
    (call,) = await play(tmp_path, three_spies, record_calls=False)
    assert call["monitored"] == 3


async def test_recordings_are_listed_by_base_name(tmp_path: Path) -> None:
    async def drive(sim: SimulatedAsterisk, t: Tap) -> None:
        sim.place_call(
            "+8613755556666", "Xie Na", "8001", answer_by="1001", agent_answers_after=2, talk_s=4
        )

    (call,) = await play(tmp_path, drive, recordings_dir=tmp_path / "monitor")
    assert call["recordings"] == [f"pbx1-{call['linkedid']}.wav"]  # as [cc-record] names it
    assert (tmp_path / "monitor" / call["recordings"][0]).is_file()
