"""The wallboard's sparklines: per group, the most callers waiting and the service level in each
15-minute step of the last 24 hours; a quiet step repeats the one before it."""

from __future__ import annotations

from callcenter.domain.kpi.trend import TrendBook

STEP = 15 * 60
DAY0 = 1_796_300_000 // STEP * STEP  # the start of a step


def hotline(waiting: int, sl: float | None) -> dict[str, object]:
    return {"slug": "member-hotline", "waiting": waiting, "sl_percent": sl}


def test_a_day_by_15_minutes_with_the_peak_of_each_step_and_quiet_steps_carried() -> None:
    book = TrendBook()
    assert book.steps == 96
    book.observe(DAY0 + 10, [hotline(2, 90.0)])
    book.observe(DAY0 + 300, [hotline(5, 85.0)])  # the peak of the step, not its last value
    book.observe(DAY0 + 600, [hotline(1, 80.0)])
    out = book.observe(DAY0 + 2 * STEP + 5, [hotline(0, 82.0)])  # one quiet step between
    series = out["groups"]["member-hotline"]
    assert out["step_s"] == STEP
    assert len(series["waiting"]) == 96 and len(series["sl"]) == 96
    assert series["waiting"][-3:] == [5, 5, 1]  # the quiet step repeats; a new step starts at
    assert series["sl"][-3:] == [80.0, 80.0, 82.0]  # the number still waiting
    assert series["waiting"][:-3] == [None] * 93  # before the process started: unknown


def test_a_step_starts_from_the_callers_still_waiting_and_old_steps_fall_out() -> None:
    book = TrendBook()
    book.observe(DAY0, [hotline(7, 50.0)])
    assert not book.new_step(DAY0 + STEP - 1)
    assert book.new_step(DAY0 + STEP)
    # nothing changed for three steps: the seven were waiting all along, until now
    out = book.observe(DAY0 + 3 * STEP, [hotline(0, 100.0)])
    assert out["groups"]["member-hotline"]["waiting"][-4:] == [7, 7, 7, 7]
    out = book.observe(DAY0 + 4 * STEP, [hotline(0, 100.0)])
    assert out["groups"]["member-hotline"]["waiting"][-1] == 0  # nobody left at its start
    out = book.observe(DAY0 + 100 * STEP, [hotline(0, 100.0)])
    assert 7 not in out["groups"]["member-hotline"]["waiting"]  # more than a day ago
