"""Erlang C against published values and against the series summed directly."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from callcenter.domain.kpi.staffing import (
    StaffingRules,
    agents_needed,
    agents_on_phones,
    average_speed_of_answer,
    erlang_c,
    offered_load,
    service_level,
)


def direct_erlang_c(agents: int, load: Fraction) -> float:
    """The textbook formula, summed term by term in exact fractions (independent check)."""
    top = load**agents / math.factorial(agents) * Fraction(agents) / (agents - load)
    below = sum(load**k / math.factorial(k) for k in range(agents))
    return float(top / (below + top))


@pytest.mark.parametrize("agents", range(11, 25))
@pytest.mark.parametrize("load", [Fraction(10), Fraction(21, 2), Fraction(7, 3)])
def test_erlang_c_equals_the_direct_series(agents: int, load: Fraction) -> None:
    assert erlang_c(agents, float(load)) == pytest.approx(direct_erlang_c(agents, load), rel=1e-12)


def test_textbook_example_100_calls_in_30_minutes() -> None:
    # Published worked example (Call Centre Helper, "Erlang C formula made simple"): 100 calls in
    # 30 minutes, AHT 180 s, target 80 % within 20 s -> 10 Erlangs, 14 agents, P(wait) 17.4 %,
    # ASA 7.8 s; with 30 % shrinkage, 20 agents.
    load = offered_load(100, 180, 1800)
    assert load == 10
    assert round(erlang_c(14, load), 3) == 0.174
    assert round(average_speed_of_answer(14, load, 180), 1) == 7.8
    assert agents_on_phones(load=load, aht_s=180, sl_fraction=0.8, target_s=20) == 14
    rules = StaffingRules(shrinkage=0.3, max_occupancy=1.0)
    needed = agents_needed(
        calls=100, aht_s=180, interval_s=1800, sl_percent=80, target_s=20, rules=rules
    )
    assert needed == 20
    # 13 agents fall short of 80/20, 14 meet it (independently: 1 - C e^{-(N-A) t / AHT})
    for agents, meets in ((13, False), (14, True)):
        direct = 1 - direct_erlang_c(agents, Fraction(10)) * math.exp(-(agents - 10) * 20 / 180)
        assert service_level(agents, load, 180, 20) == pytest.approx(direct, rel=1e-12)
        assert (direct >= 0.8) is meets


def test_mm3_textbook_value() -> None:
    # M/M/3 at 2 Erlangs (utilisation 2/3): the probability of waiting is 4/9.
    assert erlang_c(3, 2.0) == pytest.approx(4 / 9, rel=1e-12)


def test_large_centres_stay_finite() -> None:
    # 500 Erlangs: A^N / N! overflows floats; the recursion does not.
    wait = erlang_c(520, 500.0)
    assert 0.0 < wait < 1.0
    assert agents_on_phones(load=500.0, aht_s=300, sl_fraction=0.8, target_s=20) > 500


def test_occupancy_cap_and_edges() -> None:
    load = offered_load(100, 180, 1800)
    capped = agents_on_phones(load=load, aht_s=180, sl_fraction=0.8, target_s=20, max_occupancy=0.6)
    assert capped == 17  # 10 / 17 = 0.59 <= 0.6, 10 / 16 = 0.625 is too busy
    assert erlang_c(10, 10.0) == 1.0 and service_level(9, 10.0, 180, 20) == 0.0
    assert average_speed_of_answer(10, 10.0, 180) == math.inf
    rules = StaffingRules()
    quiet = agents_needed(
        calls=0, aht_s=180, interval_s=1800, sl_percent=80, target_s=20, rules=rules
    )
    assert quiet == 0
    with pytest.raises(ValueError):
        StaffingRules(shrinkage=1.0)
    with pytest.raises(ValueError):
        StaffingRules(max_occupancy=0)
    with pytest.raises(ValueError):
        agents_on_phones(load=1.0, aht_s=60, sl_fraction=1.0, target_s=20)
