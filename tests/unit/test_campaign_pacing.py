"""Pacing: progressive one line per ready agent; predictive adapts and brakes on abandons."""

from __future__ import annotations

import pytest

from callcenter.domain.campaigns.abandon import AbandonLedger, WindowRate
from callcenter.domain.campaigns.pacing import (
    PacingInputs,
    allowed_share,
    decide,
    expected_overflow,
    live_chance,
    pressure,
)


def _rates(
    h1: tuple[int, int], h24: tuple[int, int], d30: tuple[int, int]
) -> dict[str, WindowRate]:
    return {
        "1h": WindowRate("1h", *h1),
        "24h": WindowRate("24h", *h24),
        "30d": WindowRate("30d", *d30),
    }


CLEAN = _rates((200, 0), (2000, 0), (20000, 0))


def _inputs(**kw: object) -> PacingInputs:
    base: dict[str, object] = {
        "mode": "predictive",
        "agents_ready": 5,
        "agents_on_call": 20,
        "lines_in_flight": 0,
        "answer_rate": 0.25,
        "ring_s": 15.0,
        "handle_s": 180.0,
        "abandon": CLEAN,
    }
    base.update(kw)
    return PacingInputs(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kw", "dial"),
    [
        ({"mode": "progressive"}, 5),
        ({"mode": "progressive", "lines_in_flight": 3}, 2),
        ({"mode": "progressive", "lines_in_flight": 9}, 0),
        ({"mode": "preview"}, 0),
        ({"agents_ready": 0, "agents_on_call": 0}, 0),
        ({"mode": "progressive", "records_left": 2}, 2),
    ],
)
def test_progressive_and_preview(kw: dict[str, object], dial: int) -> None:
    assert decide(_inputs(**kw)).dial == dial


def test_predictive_overdials_by_the_answer_rate_and_counts_agents_about_to_free() -> None:
    lone = decide(_inputs(agents_on_call=0))
    # 5 ready agents, 25 % live answers: more than one line each, fewer than 5 / 0.25 (the
    # mean would leave half the answers' excess waiting)
    assert 5 < lone.dial < 20
    assert expected_overflow(lone.dial, 0.25, 5) <= 0.03 * 0.8 * lone.dial * 0.25
    assert expected_overflow(lone.dial + 1, 0.25, 5) > 0.03 * 0.8 * (lone.dial + 1) * 0.25
    assert decide(_inputs()).dial > lone.dial  # 20 agents on calls: some free within a ring
    assert decide(_inputs(agents_on_call=0, answer_rate=0.5)).dial < lone.dial


def test_predictive_counts_lines_already_in_the_air() -> None:
    lone = decide(_inputs(agents_on_call=0)).dial
    some = decide(_inputs(agents_on_call=0, lines_in_flight=4)).dial
    assert lone - 5 <= some <= lone - 3
    assert decide(_inputs(agents_on_call=0, lines_in_flight=40)).dial == 0


@pytest.mark.parametrize(
    ("abandon", "braked_by", "at_most"),
    [
        (CLEAN, None, 99),
        # 24 h at 2 % of a 3 % cap: held back, braked by the 24h window
        (_rates((200, 0), (2000, 40), (20000, 100)), "24h", 17),
        # 30 d over the cap while the hour is clean: the strictest window wins
        (_rates((200, 0), (2000, 10), (20000, 700)), "30d", 5),
        # the last hour alone over the cap
        (_rates((100, 4), (2000, 4), (20000, 4)), "1h", 5),
    ],
)
def test_the_brake_follows_the_strictest_window(
    abandon: dict[str, WindowRate], braked_by: str | None, at_most: int
) -> None:
    out = decide(_inputs(abandon=abandon, agents_on_call=0))
    assert out.braked_by == braked_by
    assert out.dial <= at_most


def test_at_the_cap_predictive_falls_back_to_one_line_per_ready_agent() -> None:
    over = _rates((100, 5), (100, 5), (100, 5))
    out = decide(_inputs(abandon=over, lines_in_flight=2))
    assert out.dial == 3 and out.pressure >= 1.0


def test_a_lower_cap_brakes_harder() -> None:
    some = _rates((300, 3), (300, 3), (300, 3))
    assert decide(_inputs(abandon=some, cap_pct=1.0)).dial < decide(_inputs(abandon=some)).dial


def test_few_answers_are_judged_as_a_minimum_sample() -> None:
    share, name = pressure(_rates((2, 1), (2, 1), (2, 1)), 3.0)
    assert name == "1h" and share == pytest.approx(100 / 30 / 3)


@pytest.mark.parametrize(("share", "allowed"), [(0.0, 0.8), (0.5, 0.4), (1.0, 0.0), (2.0, 0.0)])
def test_allowed_share_of_the_cap(share: float, allowed: float) -> None:
    assert allowed_share(share) == pytest.approx(allowed)


@pytest.mark.parametrize(
    ("lines", "p", "agents", "low", "high"),
    [
        (0, 0.25, 5, 0.0, 0.0),
        (20, 0.25, 5, 0.5, 1.5),  # answers ~ 5 +- 1.9 for 5 agents: about 0.8 overflow
        (20, 0.25, 15, 0.0, 0.001),
        (100, 0.25, 5, 19.5, 20.5),  # far over: the mean excess
    ],
)
def test_expected_overflow(lines: int, p: float, agents: float, low: float, high: float) -> None:
    assert low <= expected_overflow(lines, p, agents) <= high


@pytest.mark.parametrize(
    ("age", "low", "high"),
    [(0.0, 0.24, 0.26), (10.0, 0.1, 0.2), (40.0, 0.0, 0.01), (60.0, 0.0, 0.0)],
)
def test_a_line_ringing_long_is_less_likely_a_live_answer(
    age: float, low: float, high: float
) -> None:
    chance = live_chance(age, live=0.25, machine=0.1, no_answer=0.5, ring_s=8.0, timeout_s=60.0)
    assert low <= chance <= high


def test_lines_ringing_long_leave_room_for_more_dials() -> None:
    fresh = decide(_inputs(agents_on_call=0, lines_in_flight=10, pending_live=(0.25,) * 10))
    stale = decide(_inputs(agents_on_call=0, lines_in_flight=10, pending_live=(0.01,) * 10))
    assert stale.dial > fresh.dial


def test_ledger_windows() -> None:
    ledger = AbandonLedger()
    day = 86400.0
    t0 = 1_000_000_020.0
    ledger.add(t0, abandoned=True)  # 40 days before the end: in no window
    ledger.add(t0 + 20 * day, abandoned=True)  # in 30 d only
    ledger.add(t0 + 40 * day - 7200, abandoned=False)  # 2 h ago: 24 h and 30 d
    for i in range(3):
        ledger.add(t0 + 40 * day - 60 + i, abandoned=i == 0)  # this minute
    rates = ledger.rates(t0 + 40 * day)
    assert (rates["1h"].answered, rates["1h"].abandoned) == (3, 1)
    assert (rates["24h"].answered, rates["24h"].abandoned) == (4, 1)
    assert (rates["30d"].answered, rates["30d"].abandoned) == (5, 2)
    assert rates["30d"].pct == pytest.approx(40.0)


@pytest.mark.parametrize("cap", [1.0, 1.2, 1.5, 2.0])
def test_a_supervisors_dial_level_cap_bounds_predictive_lines(cap: float) -> None:
    """Figure: 5 ready + 0 on call, 25 % answers (uncapped: more than 5 lines), 2 in the air ->
    with the cap, lines in the air after the dial stay within cap x agents, braked by the cap,
    and never fewer than progressive's one line per ready agent."""
    free = decide(_inputs(agents_on_call=0, lines_in_flight=2))
    capped = decide(_inputs(agents_on_call=0, lines_in_flight=2, level_cap=cap))
    assert capped.dial_level <= cap
    assert capped.dial == min(free.dial, int(cap * 5) - 2)
    assert capped.dial >= 5 - 2
    assert capped.braked_by == ("level_cap" if capped.dial < free.dial else free.braked_by)
