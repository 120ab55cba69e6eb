"""End to end, outbound calls: Originate outcomes (AMD among them) and click-to-dial through the
shipped agent phone, played by the simulator, captured, and read by `callcenter replay`."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sim_features import Tap, sent
from sim_replay import play

from callcenter.sim.server import SimulatedAsterisk


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
