"""Opening hours as weekday spans of wall-clock time, parsed from 'mon-fri 08:00-20:00'."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS = re.compile(
    r"^(?:(?P<d1>[a-z]{3})(?:-(?P<d2>[a-z]{3}))?\s+)?(?P<t1>\d\d:\d\d)-(?P<t2>\d\d:\d\d)$"
)


@dataclass(frozen=True)
class OpenSpan:
    """Opening hours on some weekdays (0 = Monday), from `start` up to but not including `end`."""

    days: frozenset[int]
    start: time
    end: time

    def covers(self, local: datetime) -> bool:
        """True when the local wall-clock time falls inside this span."""
        return local.weekday() in self.days and self.start <= local.time() < self.end

    @property
    def text(self) -> str:
        """The span as the rule book writes it, e.g. 'mon-fri 08:30-21:00' or '09:00-17:00'."""
        end = "24:00" if self.end == time.max else self.end.strftime("%H:%M")
        hours = f"{self.start.strftime('%H:%M')}-{end}"
        if len(self.days) == 7:
            return hours
        first = next(d for d in sorted(self.days) if (d - 1) % 7 not in self.days)
        last = first
        while (last + 1) % 7 in self.days and (last + 1) % 7 != first:
            last = (last + 1) % 7
        days = _DAYS[first] if first == last else f"{_DAYS[first]}-{_DAYS[last]}"
        return f"{days} {hours}"


def parse_span(text: str) -> OpenSpan | None:
    """'mon-fri 08:00-20:00', 'sat 09:00-12:00' or '09:00-17:00' (every day); None if malformed."""
    m = _HOURS.match(text.strip().lower())
    if m is None:
        return None
    d1, d2 = m["d1"] or "mon", m["d2"] or m["d1"] or "sun"
    if d1 not in _DAYS or d2 not in _DAYS:
        return None
    try:
        start, end = time.fromisoformat(m["t1"]), _end_time(m["t2"])
    except ValueError:
        return None
    if end <= start:
        return None  # spans past midnight are written as two spans
    lo, hi = _DAYS.index(d1), _DAYS.index(d2)
    days = range(lo, hi + 1) if lo <= hi else [*range(lo, 7), *range(0, hi + 1)]
    return OpenSpan(frozenset(days), start, end)


def _end_time(text: str) -> time:
    # "24:00" is how people write "until midnight"
    return time.max if text == "24:00" else time.fromisoformat(text)
