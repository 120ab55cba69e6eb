"""Work-item targets from the rule book: which group takes a kind, and by when it is due.

`[work]` in the rule book (all optional):

    [work.groups]            # kind -> group when intake names none
    letter = "letters"
    [work.sla]               # kind -> working time: "2d" working days, "4h"/"30m" open time,
    letter = "2d"            # "0h" = the group's next opening
    [work.sla_by_group.finance]
    remittance_slip = "4h"   # a group's own target for a kind wins over [work.sla]

Working time follows the group's opening hours and the holidays: a letter received on Friday
afternoon with "2d" is due on Tuesday at the same time of day; "4h" counts only open hours.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from callcenter.domain.routing.business_hours import OpenSpan
from callcenter.domain.routing.groups import GroupRouting

_TARGET = re.compile(r"^(\d{1,4})([dhm])$")
MAX_DAYS_AHEAD = 400  # a group never open within this horizon gets no opening


@dataclass(frozen=True)
class SlaTarget:
    """A working-time target: `amount` of working days ("d"), hours ("h") or minutes ("m")."""

    amount: int
    unit: str

    @property
    def text(self) -> str:
        """As the rule book writes it, e.g. '2d'."""
        return f"{self.amount}{self.unit}"


def parse_target(text: str) -> SlaTarget | None:
    """'2d', '4h', '30m' or '0h'; None for anything else."""
    m = _TARGET.match(text.strip().lower())
    return None if m is None else SlaTarget(int(m[1]), m[2])


@dataclass(frozen=True)
class WorkTargets:
    """The `[work]` part of the rule book."""

    groups: Mapping[str, str] = field(default_factory=dict)
    sla: Mapping[str, SlaTarget] = field(default_factory=dict)
    sla_by_group: Mapping[str, Mapping[str, SlaTarget]] = field(default_factory=dict)

    def target(self, kind: str, group: str) -> SlaTarget | None:
        """The group's own target for the kind, else the kind's, else None (no due time)."""
        return self.sla_by_group.get(group, {}).get(kind) or self.sla.get(kind)


@dataclass(frozen=True)
class Calendar:
    """When one group is open: its spans, holiday spans, the holidays and the time zone."""

    timezone: str
    hours: tuple[OpenSpan, ...] = ()
    holiday_hours: tuple[OpenSpan, ...] = ()
    holidays: frozenset[date] = frozenset()

    @classmethod
    def of(cls, group: GroupRouting | None, timezone: str, holidays: frozenset[date]) -> Calendar:
        """The calendar of a rule-book group (None: always open)."""
        if group is None:
            return cls(timezone)
        return cls(timezone, group.hours, group.holiday_hours, holidays)

    @property
    def always_open(self) -> bool:
        """No hours configured: open round the clock."""
        return not self.hours

    def day_spans(self, day: date) -> list[tuple[datetime, datetime]]:
        """The open intervals of a local day as aware datetimes, in order."""
        zone = ZoneInfo(self.timezone)
        spans = self.holiday_hours if day in self.holidays else self.hours
        out = []
        for span in spans:
            if day.weekday() in span.days:
                start = datetime.combine(day, span.start, zone)
                end = (
                    datetime.combine(day + timedelta(days=1), time(0), zone)
                    if span.end == time.max
                    else datetime.combine(day, span.end, zone)
                )
                out.append((start, end))
        return sorted(out)

    def next_open(self, at: datetime) -> datetime | None:
        """`at` itself when open then, else the next opening (None if never within a year)."""
        if self.always_open:
            return at
        local = at.astimezone(ZoneInfo(self.timezone))
        for offset in range(MAX_DAYS_AHEAD):
            for start, end in self.day_spans(local.date() + timedelta(days=offset)):
                if end > local:
                    return max(start, local)
        return None

    def add_open_time(self, at: datetime, amount: timedelta) -> datetime | None:
        """The moment `amount` of open time after `at` has passed."""
        if self.always_open:
            return at + amount
        local = at.astimezone(ZoneInfo(self.timezone))
        left = amount
        for offset in range(MAX_DAYS_AHEAD):
            for start, end in self.day_spans(local.date() + timedelta(days=offset)):
                begin = max(start, local)
                if begin >= end:
                    continue
                if begin + left <= end:
                    return begin + left
                left -= end - begin
        return None

    def add_open_days(self, at: datetime, days: int) -> datetime | None:
        """The same time of day `days` open days after `at` (kept inside that day's hours)."""
        start = self.next_open(at)
        if start is None or days == 0:
            return start
        if self.always_open:
            return start + timedelta(days=days)
        local = start.astimezone(ZoneInfo(self.timezone))
        counted, day = 0, local.date()
        for _ in range(MAX_DAYS_AHEAD):
            day += timedelta(days=1)
            spans = self.day_spans(day)
            if not spans:
                continue
            counted += 1
            if counted == days:
                wanted = datetime.combine(day, local.timetz().replace(tzinfo=None), local.tzinfo)
                first, last = spans[0][0], spans[-1][1]
                return min(max(wanted, first), last)
        return None


def due_at(target: SlaTarget | None, calendar: Calendar, received: datetime) -> datetime | None:
    """When an item received at `received` is due under `target` (None: no target)."""
    if target is None:
        return None
    if target.unit == "d":
        return calendar.add_open_days(received, target.amount)
    minutes = target.amount * (60 if target.unit == "h" else 1)
    start = calendar.next_open(received)
    if start is None:
        return None
    return calendar.add_open_time(start, timedelta(minutes=minutes))
