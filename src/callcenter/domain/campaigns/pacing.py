"""How many customers to dial now: progressive one per ready agent, predictive adapting.

Predictive dials so that the live answers expected from every line in the air match the agents
expected to be free when those answers come (ready now, plus on-call agents likely to finish
within a ring time), scaled down as the strictest abandon window nears the cap; at or over the
cap it falls back to one line per ready agent, which abandons only if an agent walks away.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from callcenter.domain.campaigns.abandon import WindowRate

MIN_SAMPLE = 30  # a window's rate is judged as if it had at least this many answers
PRIOR_ANSWER_RATE = 0.3
SAFE_SHARE = 0.5  # below half the cap the dialer does not hold back at all
FLOOR_BOOST = 0.55  # how far it holds back just under the cap


@dataclass(frozen=True)
class PacingInputs:
    """The floor as the dialer sees it at one instant."""

    mode: str
    agents_ready: int  # logged into the campaign, free, not reserved by a live answer
    agents_on_call: int
    lines_in_flight: int  # dialled, not yet answered or failed
    answer_rate: float  # live answers per dial, measured (PRIOR_ANSWER_RATE before any)
    ring_s: float  # mean seconds from dial to a result
    handle_s: float  # mean seconds an agent is busy with a connected call (talk + wrap-up)
    abandon: Mapping[str, WindowRate]
    cap_pct: float = 3.0
    records_left: int = 1_000_000


@dataclass(frozen=True)
class PacingDecision:
    """Lines to dial now, the level that means (lines per agent) and the window braking, if any."""

    dial: int
    dial_level: float
    braked_by: str | None
    pressure: float  # strictest window's share of the cap (1.0 = at the cap)


def pressure(abandon: Mapping[str, WindowRate], cap_pct: float) -> tuple[float, str | None]:
    """The strictest window's abandon rate as a share of the cap, and that window's name."""
    worst, name = 0.0, None
    for window, rate in abandon.items():
        share = 100.0 * rate.abandoned / (max(rate.answered, MIN_SAMPLE) * cap_pct)
        if share > worst:
            worst, name = share, window
    return worst, name


def boost_for(share: float) -> float:
    """How much of the predicted need to dial at this share of the cap."""
    if share <= SAFE_SHARE:
        return 1.0
    if share >= 1.0:
        return 0.0
    return 1.0 - (1.0 - FLOOR_BOOST) * (share - SAFE_SHARE) / (1.0 - SAFE_SHARE)


def decide(inp: PacingInputs) -> PacingDecision:
    """The pacing decision for one instant (pure; table-tested)."""
    agents = inp.agents_ready + inp.agents_on_call
    if inp.mode == "preview" or agents == 0 or inp.records_left <= 0:
        return PacingDecision(0, 0.0, None, 0.0)
    share, window = pressure(inp.abandon, inp.cap_pct)
    progressive = max(0, inp.agents_ready - inp.lines_in_flight)
    if inp.mode == "progressive" or share >= 1.0:
        dial = min(progressive, inp.records_left)
        level = (inp.lines_in_flight + dial) / agents
        return PacingDecision(dial, round(level, 3), window if share >= 1.0 else None, share)
    p = min(max(inp.answer_rate, 0.02), 1.0)
    freeing = 0.0
    if inp.handle_s > 0 and inp.agents_on_call:
        freeing = inp.agents_on_call * (1.0 - math.exp(-inp.ring_s / inp.handle_s))
    boost = boost_for(share)
    wanted_answers = (inp.agents_ready + freeing * boost) * boost
    wanted_lines = wanted_answers / p
    dial = max(progressive, math.floor(wanted_lines - inp.lines_in_flight))
    dial = max(0, min(dial, inp.records_left))
    level = (inp.lines_in_flight + dial) / agents
    braked = window if boost < 1.0 else None
    return PacingDecision(dial, round(level, 3), braked, share)
