"""A campaign's CSV report: one row per agent and the campaign's total, abandons counted as the
campaign counts them (AMD's false positives or not)."""

from __future__ import annotations

from collections.abc import Sequence

from callcenter.domain.campaigns.abandon import rate_of
from callcenter.domain.campaigns.campaign import DISPOSITIONS
from callcenter.ports.campaigns import AgentTally

REPORT_OUTCOMES = ("dropped", "machine")  # the report's outcome columns besides connected
HEADER = ("agent", "attempts", "connected", *REPORT_OUTCOMES, "abandoned", "abandon_pct")


def report_rows(tallies: Sequence[AgentTally], *, machine_is_abandon: bool) -> list[list[str]]:
    """A header, one row per agent ("(no agent)": attempts no agent took), then the total."""
    total = AgentTally("(campaign)", 0, 0, {}, {})
    for t in tallies:
        total = AgentTally(
            total.agent,
            total.attempts + t.attempts,
            total.connected + t.connected,
            _summed(total.dispositions, t.dispositions),
            _summed(total.outcomes, t.outcomes),
        )
    rows = [[*HEADER, *DISPOSITIONS]]
    for t in [*tallies, total]:
        rate = rate_of(t.outcomes, machine_is_abandon=machine_is_abandon)
        rows.append(
            [t.agent or "(no agent)", str(t.attempts), str(t.connected)]
            + [str(t.outcomes.get(o, 0)) for o in REPORT_OUTCOMES]
            + [str(rate.abandoned), f"{rate.pct:.2f}"]
            + [str(t.dispositions.get(code, 0)) for code in DISPOSITIONS]
        )
    return rows


def _summed(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    return {k: a.get(k, 0) + b.get(k, 0) for k in a.keys() | b.keys()}
