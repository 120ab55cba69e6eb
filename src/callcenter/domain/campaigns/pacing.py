"""How many customers to dial now: progressive one per ready agent, predictive adapting.

Predictive dials as many lines as it can while the live answers expected beyond the agents free
when they come (ready now, plus on-call agents likely to finish within a ring time) stay within
a share of the abandon cap; that share shrinks as the strictest window (1 h, 24 h, 30 d) fills,
and at the cap it falls back to one line per ready agent, which abandons only if an agent
walks away.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from callcenter.domain.campaigns.abandon import WindowRate

MIN_SAMPLE = 30  # a window's rate is judged as if it had at least this many answers
PRIOR_ANSWER_RATE = 0.3
TARGET_SHARE = 0.8  # with every window clean, new dials may risk 80 % of the cap


@dataclass(frozen=True)
class PacingInputs:
    """The floor as the dialer sees it at one instant."""

    mode: str
    agents_ready: int  # logged into the campaign, free, not reserved by a live answer
    agents_on_call: int
    lines_in_flight: int  # dialled, not yet answered or failed
    answer_rate: float  # live answers per dial, measured (PRIOR_ANSWER_RATE before any)
    ring_s: float  # mean seconds from dial to a live answer
    handle_s: float  # mean seconds an agent is busy with a connected call (talk + wrap-up)
    abandon: Mapping[str, WindowRate]
    cap_pct: float = 3.0
    records_left: int = 1_000_000
    # Each line in the air's chance of still becoming a live answer (see live_chance); empty:
    # every line counts with answer_rate.
    pending_live: tuple[float, ...] = ()
    level_cap: float | None = None  # the supervisor's most lines per agent, in the air


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


def allowed_share(share: float) -> float:
    """The share of the cap the next dials may risk, given where the strictest window stands:
    most of it when clean, less as the window fills, nothing at the cap."""
    return max(0.0, TARGET_SHARE * (1.0 - share))


def live_chance(
    age_s: float, *, live: float, machine: float, no_answer: float, ring_s: float, timeout_s: float
) -> float:
    """A line ringing for `age_s` without a result: its chance of still becoming a live answer.

    Answers (live or machine) come after an exponential ring of mean `ring_s`; no-answers all at
    `timeout_s`; busy and congestion within the first second.
    """
    if age_s >= timeout_s:
        return 0.0
    decay = math.exp(-age_s / max(ring_s, 0.1))
    fast = max(0.0, 1.0 - live - machine - no_answer) if age_s < 1.0 else 0.0
    open_mass = (live + machine) * decay + no_answer + fast
    return live * decay / open_mass if open_mass > 0 else 0.0


def expected_overflow(
    lines: int,
    p: float,
    agents: float,
    pending: tuple[float, float] = (0.0, 0.0),
    agents_var: float = 0.0,
) -> float:
    """Expected live answers beyond `agents` (a mean, with variance `agents_var`) from `lines`
    new dials answered with probability p plus lines in the air with (mean, variance)
    `pending` (normal approximation, continuity corrected)."""
    mean = lines * p + pending[0]
    if mean <= 0:
        return 0.0
    sd = math.sqrt(lines * p * (1.0 - p) + pending[1] + agents_var)
    if sd < 1e-9:
        return max(0.0, mean - agents)
    z = (agents + 0.5 - mean) / sd
    pdf = math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
    tail = 0.5 * math.erfc(z / math.sqrt(2))
    return max(0.0, sd * pdf + (mean - agents - 0.5) * tail)


def lines_for(
    agents: float,
    p: float,
    risk: float,
    most: int,
    pending: tuple[float, float] = (0.0, 0.0),
    agents_var: float = 0.0,
) -> int:
    """The most new lines whose expected overflow stays within `risk` of all expected answers."""
    lo, hi = 0, max(0, most)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        over = expected_overflow(mid, p, agents, pending, agents_var)
        if over <= risk * (mid * p + pending[0]):
            lo = mid
        else:
            hi = mid - 1
    return lo


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
    p = min(max(inp.answer_rate, 0.02), 0.99)
    q = 1.0 - math.exp(-inp.ring_s / inp.handle_s) if inp.handle_s > 0 else 0.0
    freeing = inp.agents_on_call * q  # on-call agents free by the time new dials answer
    risk = inp.cap_pct / 100.0 * allowed_share(share)
    chances = inp.pending_live or (p,) * inp.lines_in_flight
    pending = (sum(chances), sum(c * (1.0 - c) for c in chances))
    most = math.ceil(3 * (inp.agents_ready + freeing + 1) / p)
    lines = lines_for(
        inp.agents_ready + freeing, p, risk, most, pending, inp.agents_on_call * q * (1 - q)
    )
    dial = max(progressive, lines)
    dial = max(0, min(dial, inp.records_left))
    braked = window if share > 0.0 else None
    if inp.level_cap is not None:
        room = max(0, math.floor(inp.level_cap * agents + 1e-9) - inp.lines_in_flight)
        if dial > room:
            dial, braked = room, "level_cap"
    level = (inp.lines_in_flight + dial) / agents
    return PacingDecision(dial, round(level, 3), braked, share)
