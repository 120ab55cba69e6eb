"""Abandon rate of a campaign over the last 1 h, 24 h and 30 days (live answers per minute)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from callcenter.domain.campaigns.campaign import ABANDON_WINDOWS

BUCKET_S = 60.0
_LONGEST_S = max(span for _, span in ABANDON_WINDOWS)


@dataclass(frozen=True)
class WindowRate:
    """Live answers and abandons in one window; `pct` is 0 when nothing was answered."""

    window: str
    answered: int
    abandoned: int

    @property
    def pct(self) -> float:
        return 100.0 * self.abandoned / self.answered if self.answered else 0.0


def abandon_counts(outcome: str, *, machine_is_abandon: bool = False) -> tuple[int, int]:
    """(live answers, abandons) one finished attempt adds to the abandon rate.

    A live answer connected to an agent counts once as answered; one no agent took in time
    (`dropped`) is answered and abandoned. An answering-machine result is not a live answer,
    unless the campaign counts AMD's false positives as abandons: a person AMD took for a
    machine was hung up on (or played the message), so every machine result it did not pass
    to an agent is then counted as a live answer abandoned.
    """
    if outcome == "connected":
        return 1, 0
    if outcome == "dropped" or (outcome == "machine" and machine_is_abandon):
        return 1, 1
    return 0, 0


def ledger_rows(
    counts: Iterable[tuple[float, str, int]], *, machine_is_abandon: bool = False
) -> list[tuple[float, int, int]]:
    """(minute start, answered, abandoned) rows from (time, outcome, attempts) counts."""
    buckets: dict[float, list[int]] = {}
    for at, outcome, n in counts:
        answered, abandoned = abandon_counts(outcome, machine_is_abandon=machine_is_abandon)
        if answered:
            bucket = buckets.setdefault(at - at % BUCKET_S, [0, 0])
            bucket[0] += answered * n
            bucket[1] += abandoned * n
    return [(start, a, d) for start, (a, d) in sorted(buckets.items())]


def rate_of(
    outcomes: Mapping[str, int], *, machine_is_abandon: bool = False, window: str = "all"
) -> WindowRate:
    """Live answers and abandons of a set of attempts counted by outcome (a report's row)."""
    answered = abandoned = 0
    for outcome, n in outcomes.items():
        a, d = abandon_counts(outcome, machine_is_abandon=machine_is_abandon)
        answered += a * n
        abandoned += d * n
    return WindowRate(window, answered, abandoned)


class AbandonLedger:
    """Counts per minute for 30 days: what the brake and the supervisor's figures read.

    An abandon is a live answer not connected to an agent within the campaign's connect time;
    it counts as a live answer too (the rate is abandons over live answers).
    """

    def __init__(self) -> None:
        self._buckets: deque[list[float]] = deque()  # [minute start, answered, abandoned]

    def add(self, at: float, *, abandoned: bool, answered: int = 1) -> None:
        """One live answer at `at` (epoch s), abandoned or not; times should not go backwards."""
        start = at - at % BUCKET_S
        if not self._buckets or self._buckets[-1][0] < start:
            self._buckets.append([start, 0.0, 0.0])
            self._prune(at)
        bucket = self._buckets[-1] if self._buckets[-1][0] <= start else self._find(start)
        bucket[1] += answered
        bucket[2] += 1 if abandoned else 0

    def restore(self, rows: list[tuple[float, int, int]]) -> None:
        """Load (minute start, answered, abandoned) rows, e.g. from stored attempts."""
        for start, answered, abandoned in sorted(rows):
            self._buckets.append([start - start % BUCKET_S, float(answered), float(abandoned)])

    def rates(self, now: float) -> dict[str, WindowRate]:
        """Every window's figures as of `now`."""
        out = {}
        for name, span in ABANDON_WINDOWS:
            since = now - span
            answered = abandoned = 0.0
            for start, a, d in reversed(self._buckets):
                if start + BUCKET_S <= since:
                    break
                answered += a
                abandoned += d
            out[name] = WindowRate(name, int(answered), int(abandoned))
        return out

    def _find(self, start: float) -> list[float]:
        for bucket in reversed(self._buckets):
            if bucket[0] <= start:
                return bucket
        return self._buckets[0]

    def _prune(self, now: float) -> None:
        while self._buckets and self._buckets[0][0] + BUCKET_S <= now - _LONGEST_S:
            self._buckets.popleft()
