"""Quality scoring without IO: scorecards checked, weighted totals, calibration, weekly trend."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from callcenter.domain.quality.calibration import calibrate
from callcenter.domain.quality.evaluations import Evaluation, weighted_total
from callcenter.domain.quality.scorecards import Criterion, QualityError, Scorecard, build_scorecard
from callcenter.domain.quality.summary import summarize

T0 = datetime(2026, 3, 2, 10, tzinfo=UTC)  # a Monday
CRITERIA = (
    Criterion("greeting", "Greeting", 10),
    Criterion("identification", "Identification", 20),
    Criterion("resolution", "Resolution", 40),
    Criterion("courtesy", "Courtesy", 10),
    Criterion("compliance", "Compliance", 20),
)


def card(scale: int = 5) -> Scorecard:
    built = build_scorecard(
        group_slug="member-hotline",
        name="Hotline 2026",
        scale=scale,
        criteria=CRITERIA,
        created_by="supervisor (token 1)",
        created_at=T0,
    )
    return replace(built, id=7)


def evaluation(
    scorer: str, ratings: dict[str, int], at: datetime = T0, linkedid: str = "1.1"
) -> Evaluation:
    c = card()
    return Evaluation(
        scorecard_id=7,
        pbx="pbx1",
        linkedid=linkedid,
        agent_code="1001",
        group_slug="member-hotline",
        scorer=scorer,
        ratings=ratings,
        total=weighted_total(c, ratings),
        scored_at=at,
    )


FULL = {"greeting": 5, "identification": 5, "resolution": 5, "courtesy": 5, "compliance": 5}


def test_weighted_total_is_each_ratings_share_of_the_scale_weighted() -> None:
    assert weighted_total(card(), FULL) == 100.0
    assert weighted_total(card(), dict.fromkeys(FULL, 0)) == 0.0
    # resolution (weight 40 of 100) at 0, the rest full: 60 %
    assert weighted_total(card(), {**FULL, "resolution": 0}) == 60.0
    # greeting 3/5 of weight 10 loses 4 points
    assert weighted_total(card(), {**FULL, "greeting": 3}) == 96.0


@pytest.mark.parametrize(
    ("ratings", "loc"),
    [
        ({k: v for k, v in FULL.items() if k != "courtesy"}, ("ratings", "courtesy")),
        ({**FULL, "empathy": 3}, ("ratings", "empathy")),
        ({**FULL, "compliance": 6}, ("ratings", "compliance")),
        ({**FULL, "greeting": -1}, ("ratings", "greeting")),
    ],
)
def test_bad_ratings_name_the_criterion(ratings: dict[str, int], loc: tuple[str, ...]) -> None:
    with pytest.raises(QualityError) as caught:
        weighted_total(card(), ratings)
    assert caught.value.loc == loc


@pytest.mark.parametrize(
    ("criteria", "scale", "loc"),
    [
        ((), 5, ("criteria",)),
        (CRITERIA, 0, ("scale",)),
        (CRITERIA, 11, ("scale",)),
        ((Criterion("greeting", "A", 1), Criterion("greeting", "B", 1)), 5, ("criteria", 1, "key")),
        ((Criterion("Greeting!", "A", 1),), 5, ("criteria", 0, "key")),
        ((Criterion("greeting", " ", 1),), 5, ("criteria", 0, "label")),
        ((Criterion("greeting", "A", 0),), 5, ("criteria", 0, "weight")),
    ],
)
def test_bad_scorecards_name_the_field(
    criteria: tuple[Criterion, ...], scale: int, loc: tuple[str | int, ...]
) -> None:
    with pytest.raises(QualityError) as caught:
        build_scorecard(
            group_slug="finance", name="x", scale=scale, criteria=criteria,
            created_by="admin", created_at=T0,
        )  # fmt: skip
    assert caught.value.loc == loc


def test_calibration_shows_each_scorers_rating_and_the_spread_per_criterion() -> None:
    a = evaluation("supervisor (token 1)", FULL)
    b = evaluation(
        "supervisor (token 2)", {**FULL, "resolution": 2, "greeting": 4}, T0 + timedelta(minutes=5)
    )
    result = calibrate(card(), [b, a])
    assert result.scorers == ("supervisor (token 1)", "supervisor (token 2)")
    spreads = {c.key: c for c in result.criteria}
    assert spreads["resolution"].ratings == {"supervisor (token 1)": 5, "supervisor (token 2)": 2}
    assert (spreads["resolution"].low, spreads["resolution"].high) == (2, 5)
    assert spreads["resolution"].spread == 3 and not spreads["resolution"].agreed
    assert spreads["greeting"].spread == 1 and spreads["greeting"].agreed
    assert spreads["courtesy"].spread == 0 and spreads["courtesy"].mean == 5
    assert result.total_spread == round(a.total - b.total, 1)
    assert not result.calibrated


def test_one_scorer_is_not_a_calibration_yet_and_agreement_is_calibrated() -> None:
    a = evaluation("supervisor (token 1)", FULL)
    assert not calibrate(card(), [a]).calibrated
    b = evaluation("admin", {**FULL, "greeting": 4})
    assert calibrate(card(), [a, b]).calibrated


def test_summary_counts_a_call_once_and_gives_a_weekly_trend() -> None:
    week1 = [
        evaluation("s1", {**FULL, "resolution": 0}, T0, "1.1"),  # 60
        evaluation("s2", FULL, T0, "1.1"),  # same call: the call counts as 80
    ]
    week2 = [evaluation("s1", FULL, T0 + timedelta(days=7), "1.2")]  # 100
    summary = summarize(week1 + week2)
    assert summary.calls_scored == 2 and summary.evaluations == 3
    assert summary.average == 90.0
    assert [(w.week.isoformat(), w.average) for w in summary.weeks] == [
        ("2026-03-02", 80.0),
        ("2026-03-09", 100.0),
    ]
    assert summary.trend == 20.0
    assert summarize([]).average is None and summarize([]).trend is None
