"""Pacing: progressive one line per ready agent; predictive adapts and brakes on abandons."""

from __future__ import annotations

import pytest

from callcenter.domain.campaigns.abandon import AbandonLedger, WindowRate
from callcenter.domain.campaigns.pacing import PacingInputs, boost_for, decide, pressure


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
    lone = decide(_inputs(agents_on_call=0)).dial
    assert lone == 20  # 5 ready agents / 25 % live answers
    with_busy = decide(_inputs()).dial
    assert with_busy > lone  # 20 agents on 3-minute calls: ~1.6 free within a 15 s ring
    lower_rate = decide(_inputs(agents_on_call=0, answer_rate=0.5)).dial
    assert lower_rate == 10


def test_predictive_counts_lines_already_in_the_air() -> None:
    assert decide(_inputs(agents_on_call=0, lines_in_flight=12)).dial == 8
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


@pytest.mark.parametrize(("share", "boost"), [(0.0, 1.0), (0.5, 1.0), (0.75, 0.775), (1.0, 0.0)])
def test_boost(share: float, boost: float) -> None:
    assert boost_for(share) == pytest.approx(boost)


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
