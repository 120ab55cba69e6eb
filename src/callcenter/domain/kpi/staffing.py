"""Erlang C staffing: waiting probability, service level, ASA and the agents a target needs.

Offered load A (Erlangs) = calls per interval x average handle time / interval length. With N
agents (N > A) the probability that a call waits is Erlang C:

    C(N, A) = (A^N / N! * N / (N - A)) / (sum_{k<N} A^k / k! + A^N / N! * N / (N - A))

computed here through the Erlang B recursion B(0) = 1, B(k) = A B(k-1) / (k + A B(k-1)) and
C = N B / (N - A (1 - B)), which never forms A^N or N! and so stays exact for hundreds of agents.
Service level within t seconds: 1 - C exp(-(N - A) t / AHT); ASA = C AHT / (N - A).
Agents needed: the smallest N meeting the service level with occupancy A/N at most the maximum;
then scheduled for shrinkage (breaks, training, absence): ceil(N / (1 - shrinkage)).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from callcenter.domain.kpi.book import EMPTY, KpiBook, KpiRules, group_figures

MAX_AGENTS = 100_000


@dataclass(frozen=True)
class StaffingRules:
    """Settings the figures depend on besides the group's own service-level target."""

    shrinkage: float = 0.3  # share of paid time not on the phones
    max_occupancy: float = 0.85  # the busiest share of logged-in time an agent should carry
    interval_minutes: int = 30  # the live figure uses the last interval's calls

    def __post_init__(self) -> None:
        if not 0.0 <= self.shrinkage < 1.0:
            raise ValueError(f"shrinkage must be in [0, 1), not {self.shrinkage}")
        if not 0.0 < self.max_occupancy <= 1.0:
            raise ValueError(f"max occupancy must be in (0, 1], not {self.max_occupancy}")
        if self.interval_minutes <= 0:
            raise ValueError("the interval must be at least a minute")


def offered_load(calls: float, aht_s: float, interval_s: float) -> float:
    """Traffic in Erlangs: calls in the interval x handle time / interval length."""
    if calls < 0 or aht_s < 0 or interval_s <= 0:
        raise ValueError("calls and handle time must not be negative, the interval positive")
    return calls * aht_s / interval_s


def erlang_b(agents: int, load: float) -> float:
    """Blocking probability of `agents` servers at `load` Erlangs (stable recursion)."""
    if agents < 0 or load < 0:
        raise ValueError("agents and load must not be negative")
    b = 1.0
    for k in range(1, agents + 1):
        b = load * b / (k + load * b)
    return b


def erlang_c(agents: int, load: float) -> float:
    """Probability that a call waits; 1.0 when the agents cannot carry the load (N <= A)."""
    if load == 0:
        return 0.0
    if agents <= load:
        return 1.0
    b = erlang_b(agents, load)
    return agents * b / (agents - load * (1.0 - b))


def service_level(agents: int, load: float, aht_s: float, target_s: float) -> float:
    """Share of calls answered within `target_s` seconds (0 when the queue grows without end)."""
    if load == 0:
        return 1.0
    if agents <= load:
        return 0.0
    wait = erlang_c(agents, load)
    return max(0.0, 1.0 - wait * math.exp(-(agents - load) * target_s / aht_s))


def average_speed_of_answer(agents: int, load: float, aht_s: float) -> float:
    """Mean wait of all calls in seconds (infinite when N <= A)."""
    if load == 0:
        return 0.0
    if agents <= load:
        return math.inf
    return erlang_c(agents, load) * aht_s / (agents - load)


def agents_on_phones(
    *, load: float, aht_s: float, sl_fraction: float, target_s: float, max_occupancy: float = 1.0
) -> int:
    """The fewest agents meeting the service level and the occupancy cap (before shrinkage)."""
    if load == 0:
        return 0
    if not 0.0 < sl_fraction < 1.0:
        raise ValueError(f"the service-level target must be in (0, 1), not {sl_fraction}")
    agents = max(1, math.floor(load) + 1, math.ceil(load / max_occupancy))
    while service_level(agents, load, aht_s, target_s) < sl_fraction:
        agents += 1
        if agents > MAX_AGENTS:
            raise ValueError(f"more than {MAX_AGENTS} agents needed; check the inputs")
    return agents


def agents_needed(
    *,
    calls: float,
    aht_s: float,
    interval_s: float,
    sl_percent: float,
    target_s: float,
    rules: StaffingRules,
) -> int:
    """Agents to schedule for `calls` in an interval: Erlang C, occupancy cap, then shrinkage."""
    if calls <= 0 or aht_s <= 0:
        return 0
    load = offered_load(calls, aht_s, interval_s)
    # 100 % within T is never reached (a call may always wait); 99.9 % stands in for it.
    fraction = min(max(sl_percent / 100.0, 1e-9), 0.999)
    on_phones = agents_on_phones(
        load=load,
        aht_s=aht_s,
        sl_fraction=fraction,
        target_s=target_s,
        max_occupancy=rules.max_occupancy,
    )
    # A hair under an integer (14.000000001 from 14 / 0.7 * 0.7) must not add an agent.
    return math.ceil(round(on_phones / (1.0 - rules.shrinkage), 9))


def live_agents_needed(
    *,
    book: KpiBook,
    rules: KpiRules,
    now: float,
    staffing: StaffingRules,
    day_aht: Mapping[str, float | None] | None = None,
) -> dict[str, int | None]:
    """Per group slug: agents to schedule at the last interval's offered load and handle time.

    Offered calls and AHT are those of the calls that started in the last `interval_minutes` and
    have ended (the KPI rules of domain.kpi.book; `book` counts the ended calls); without an
    answered call in that interval the day's AHT stands in; None when neither exists yet (no
    handle time measured). Calls started before the interval are forgotten by `book` here.
    """
    window = staffing.interval_minutes * 60.0
    book.forget_started_before(now - window)
    sums = book.window()
    needed: dict[str, int | None] = {}
    for group in rules.groups:
        tally = sums.get(group.slug, EMPTY)
        aht = group_figures(tally)["aht_s"]
        if aht is None and day_aht is not None:
            aht = day_aht.get(group.slug)
        if tally.offered == 0:
            needed[group.slug] = 0
        elif aht is None:
            needed[group.slug] = None
        else:
            needed[group.slug] = agents_needed(
                calls=tally.offered,
                aht_s=float(aht),
                interval_s=window,
                sl_percent=group.sl_target_percent,
                target_s=group.sl_target_seconds,
                rules=staffing,
            )
    return needed
