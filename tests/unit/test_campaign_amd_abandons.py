"""AMD's false positives counted as abandons where the campaign says so: in the abandon rate
the pacing brakes on, in the rows restored from stored attempts and in the report's figures."""

from __future__ import annotations

import pytest

from callcenter.domain.campaigns.abandon import (
    AbandonLedger,
    abandon_counts,
    ledger_rows,
    rate_of,
)
from callcenter.domain.campaigns.pacing import PacingInputs, decide


@pytest.mark.parametrize(
    ("outcome", "flag", "counts"),
    [
        ("connected", False, (1, 0)),
        ("connected", True, (1, 0)),
        ("dropped", False, (1, 1)),
        ("dropped", True, (1, 1)),
        ("machine", False, (0, 0)),  # a machine is no live answer ...
        ("machine", True, (1, 1)),  # ... unless it may have been a person hung up on
        ("busy", True, (0, 0)),
        ("no_answer", True, (0, 0)),
        ("congestion", True, (0, 0)),
        ("failed", True, (0, 0)),
    ],
)
def test_what_one_attempt_adds_to_the_abandon_rate(
    outcome: str, flag: bool, counts: tuple[int, int]
) -> None:
    assert abandon_counts(outcome, machine_is_abandon=flag) == counts


OUTCOMES = {"connected": 90, "dropped": 1, "machine": 9, "busy": 40, "no_answer": 60}


def test_the_report_rate_counts_machines_only_when_the_campaign_says_so() -> None:
    """Figure: 90 connected, 1 dropped, 9 machines -> 1/91 = 1.10 % without the rule,
    10/100 = 10 % with it."""
    plain = rate_of(OUTCOMES)
    strict = rate_of(OUTCOMES, machine_is_abandon=True)
    assert (plain.answered, plain.abandoned, round(plain.pct, 2)) == (91, 1, 1.1)
    assert (strict.answered, strict.abandoned, strict.pct) == (100, 10, 10.0)


def test_rows_restored_from_stored_attempts_follow_the_rule() -> None:
    counts = [(60.5, "connected", 3), (61.0, "machine", 2), (125.0, "dropped", 1)]
    assert ledger_rows(counts) == [(60.0, 3, 0), (120.0, 1, 1)]
    assert ledger_rows(counts, machine_is_abandon=True) == [(60.0, 5, 2), (120.0, 1, 1)]


def _decision(machine_is_abandon: bool) -> tuple[int, str | None]:
    """A predictive campaign after 200 answers and 20 machines in the last hour, 2 drops."""
    ledger, now = AbandonLedger(), 100_000.0
    counts = [(now - 600, "connected", 198), (now - 600, "dropped", 2), (now - 300, "machine", 20)]
    ledger.restore(ledger_rows(counts, machine_is_abandon=machine_is_abandon))
    decision = decide(
        PacingInputs(
            mode="predictive",
            agents_ready=5,
            agents_on_call=20,
            lines_in_flight=0,
            answer_rate=0.25,
            ring_s=15.0,
            handle_s=180.0,
            abandon=ledger.rates(now),
        )
    )
    return decision.dial, decision.braked_by


def test_the_pacing_brake_counts_the_false_positives_too() -> None:
    """Figure: 2 drops in 200 live answers is 1 % (a third of the 3 % cap: predictive still
    overdials); counting 20 machines as abandons makes it 22/220 = 10 %, over the cap: one line
    per ready agent, braked by the 1 h window."""
    lenient, _ = _decision(False)
    strict, braked = _decision(True)
    assert lenient > 5
    assert (strict, braked) == (5, "1h")
