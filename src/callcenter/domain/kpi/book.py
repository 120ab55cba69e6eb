"""KPI arithmetic over finished calls: per-group and per-agent tallies and the figures they give.

Counting rules (the wallboard, its rebuild after a restart and the reports all use these):
- A call belongs to the business day in which it started (`CallRecord.started_at`, the moment it
  reached us, a few IVR seconds before its first queue): a call offered at 23:59:50 and answered at
  00:00:10 counts in the day it was offered. The business day starts at `day_start_hour` local time.
- Offered: once in every distinct group (queue) the call entered, so an overflowed or transferred
  call counts as offered in each group.
- The outcome (answered, abandoned, timeout) counts only in the LAST group the call entered: an
  overflowed call is answered or abandoned where it ended up; a transferred call is answered where
  the customer was finally served. The group it left shows it as offered only.
- Answered counts when the call ends, as app_queue's own "Completed" does; its wait is the
  call's queue time in all queues together (what the caller lived through).
- Short abandons (wait < `short_abandon_s`) are counted apart, as `short_abandoned` (a subset of
  `abandoned`), and left out of the abandon rate and of SL2: a caller who hangs up within seconds
  dialled wrongly more often than they were failed.
- SL  = answered within T / answered;
  SL2 = (answered within T + abandoned within T) / (answered + abandoned), short abandons excluded.
  "Within T" is wait <= T seconds, the way app_queue counts its own service level.
- Abandon rate = long abandons / (answered + long abandons + timeouts): of the calls whose
  outcome fell in this group, the share lost while waiting.
- AHT = (talk + wrap-up) / answered; wrap-up is the record's own when known, else the queue's
  configured wrap-up time (app_queue holds the agent that long after each call).
- FCR = settled in the first contact / answered calls that carry a disposition.
- Outbound calls (no queue) count in no group; agents' figures count inbound calls they answered.
Durations are summed as whole milliseconds so that the same calls give the same figures in any
order (live, as calls end, or rebuilt from storage).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from callcenter.domain.calls.records import CallRecord
from callcenter.domain.kpi.tally import EMPTY as EMPTY
from callcenter.domain.kpi.tally import Tally as Tally
from callcenter.domain.kpi.tally import fold
from callcenter.domain.routing.groups import Group

CallKey = tuple[str, str]  # (pbx, linkedid)


def business_day(at: datetime, tz: ZoneInfo, start_hour: int) -> date:
    """The business day `at` falls in: local date, counted from `start_hour` o'clock."""
    local = at.astimezone(tz)
    return (local - timedelta(hours=start_hour)).date()


def day_bounds(day: date, tz: ZoneInfo, start_hour: int) -> tuple[datetime, datetime]:
    """[start, end) of a business day as aware datetimes (23 or 25 hours long across DST)."""
    start = datetime.combine(day, time(start_hour), tz)
    end = datetime.combine(day + timedelta(days=1), time(start_hour), tz)
    return start, end


def interval_start(at: datetime, tz: ZoneInfo, minutes: int) -> datetime:
    """The start of the `minutes`-long local interval `at` falls in."""
    local = at.astimezone(tz)
    minute = (local.hour * 60 + local.minute) // minutes * minutes
    return local.replace(hour=minute // 60, minute=minute % 60, second=0, microsecond=0)


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def _ratio(part: int, whole: int, scale: float = 1.0, digits: int = 1) -> float | None:
    return None if whole <= 0 else round(part * scale / whole, digits)


def group_figures(t: Tally) -> dict[str, Any]:
    """The wallboard/report figures of one group's tally (rates are None without calls)."""
    long_abandoned = t.abandoned - t.short_abandoned
    return {
        "offered": t.offered,
        "answered": t.answered,
        "abandoned": t.abandoned,
        "short_abandoned": t.short_abandoned,
        "timeout": t.timeout,
        "answered_within_sl": t.answered_within_sl,
        "sl_percent": _ratio(t.answered_within_sl, t.answered, 100.0),
        "sl2_percent": _ratio(
            t.answered_within_sl + t.abandoned_within_sl, t.answered + long_abandoned, 100.0
        ),
        "asa_s": _ratio(t.wait_answered_ms, t.answered, 0.001),
        "aht_s": _ratio(t.handle_ms, t.answered, 0.001),
        "abandon_rate": _ratio(long_abandoned, t.answered + long_abandoned + t.timeout, 100.0),
        "fcr_percent": _ratio(t.settled, t.dispositioned, 100.0),
    }


def agent_figures(t: Tally) -> dict[str, Any]:
    """An agent's answered calls and average handle time."""
    return {
        "answered": t.answered,
        "aht_s": _ratio(t.handle_ms, t.answered, 0.001),
        "fcr_percent": _ratio(t.settled, t.dispositioned, 100.0),
    }


@dataclass(frozen=True)
class KpiRules:
    """What the arithmetic needs to know: groups (by queue), short abandons, wrap-up times."""

    groups: tuple[Group, ...]
    short_abandon_s: float = 5.0
    wrapup_s: Mapping[str, float] | None = None  # queue -> app_queue wrapuptime

    def group_of_queue(self, queue: str) -> Group | None:
        """The group whose Asterisk queue this is."""
        for group in self.groups:
            if group.queue == queue:
                return group
        return None


@dataclass(frozen=True)
class CallShare:
    """What one finished call adds: a tally per group slug and one for its agent."""

    groups: tuple[tuple[str, Tally], ...]
    agent: str | None
    agent_tally: Tally


def call_share(record: CallRecord, rules: KpiRules, agent: str | None) -> CallShare:
    """One call's contribution under the counting rules in this module's docstring."""
    slugs: list[str] = []
    for queue in record.queues:
        group = rules.group_of_queue(queue)
        if group is not None and group.slug not in slugs:
            slugs.append(group.slug)
    shares = {slug: Tally(offered=1) for slug in slugs}
    last = rules.group_of_queue(record.queues[-1]) if record.queues else None
    outcome = _outcome_tally(record, rules, last)
    if last is not None:
        shares[last.slug] = shares[last.slug].plus(outcome)
    inbound_answer = record.outcome == "answered" and record.direction == "inbound"
    agent_tally = outcome if inbound_answer and agent else EMPTY
    return CallShare(
        groups=tuple(shares.items()),
        agent=agent if inbound_answer else None,
        agent_tally=agent_tally,
    )


def _outcome_tally(record: CallRecord, rules: KpiRules, last: Group | None) -> Tally:
    target = float(last.sl_target_seconds) if last is not None else 0.0
    within = record.wait_s <= target
    if record.outcome == "answered":
        wrapup = record.wrapup_s
        if wrapup is None:
            queue = record.queues[-1] if record.queues else ""
            wrapup = (rules.wrapup_s or {}).get(queue, 0.0)
        has_disposition = (
            record.disposition_code is not None or record.settled_first_contact is not None
        )
        return Tally(
            answered=1,
            answered_within_sl=int(within),
            wait_answered_ms=_ms(record.wait_s),
            handle_ms=_ms(record.talk_s) + _ms(wrapup),
            dispositioned=int(has_disposition),
            settled=int(has_disposition and bool(record.settled_first_contact)),
        )
    if record.outcome == "abandoned":
        short = record.wait_s < rules.short_abandon_s
        return Tally(
            abandoned=1,
            short_abandoned=int(short),
            abandoned_within_sl=int(within and not short),
        )
    return Tally(timeout=1)


class KpiBook:
    """Running tallies of one set of finished calls; adding a call again replaces it.

    Bounded memory: the tallies are sums; per call the book keeps its record and share (to
    replace it: a later disposition, a re-count) for the newest `max_records` calls only, older
    ones sealed (still in every tally; `record()` None; counted in `sealed`), and its start time
    and share until `forget_started_before` passes it (`started_within`: the live staffing
    window; a sealed call still there is replaced exactly if added again)."""

    def __init__(
        self,
        rules: KpiRules,
        *,
        agent_key: Callable[[CallRecord], str | None] | None = None,
        max_records: int | None = None,
    ) -> None:
        self.rules = rules
        self._agent_key = agent_key or (lambda record: record.agent)
        self.max_records = max_records
        self.sealed = 0
        self._shares: dict[CallKey, CallShare] = {}
        self._records: dict[CallKey, CallRecord] = {}
        self._started: dict[CallKey, tuple[float, CallShare]] = {}
        self._start_order: list[tuple[float, CallKey]] = []  # heap: when each call started
        self._window: dict[str, Tally] | None = None  # `_started` summed per group, once asked
        self._groups: dict[str, Tally] = {}
        self._agents: dict[str, Tally] = {}

    def __len__(self) -> int:
        return len(self._shares)

    def __contains__(self, key: object) -> bool:
        return key in self._shares

    def add(self, record: CallRecord) -> None:
        """Count a finished call (a second add of the same call replaces the first)."""
        key = (record.pbx, record.linkedid)
        self.discard(key)
        share = call_share(record, self.rules, self._agent_key(record))
        self._shares[key] = share
        self._records[key] = record
        at = record.started_at.timestamp()
        self._started[key] = (at, share)
        heapq.heappush(self._start_order, (at, key))
        self._window_apply(share, Tally.plus)
        self._apply(share, Tally.plus)
        if self.max_records is not None:
            while len(self._records) > self.max_records:
                oldest = next(iter(self._records))
                del self._records[oldest], self._shares[oldest]
                self.sealed += 1

    def add_all(self, records: Iterable[CallRecord]) -> None:
        """Count many calls."""
        for record in records:
            self.add(record)

    def discard(self, key: CallKey) -> None:
        """Take a call back out, if it was counted (a sealed one only while it is recent)."""
        started = self._started.pop(key, None)  # a sealed call's share, while it is recent
        if started is not None:
            self._window_apply(started[1], Tally.minus)
        share = self._shares.pop(key, None) or (started[1] if started is not None else None)
        self._records.pop(key, None)
        if share is not None:
            self._apply(share, Tally.minus)

    def record(self, key: CallKey) -> CallRecord | None:
        """The counted record of a call (None also when it was sealed)."""
        return self._records.get(key)

    def records(self) -> list[CallRecord]:
        """Every counted call's record that is still kept."""
        return list(self._records.values())

    def started_within(self, start: float, end: float) -> list[CallShare]:
        """The shares of the calls that started in [start, end] (Unix times)."""
        return [share for at, share in self._started.values() if start <= at <= end]

    def forget_started_before(self, at: float) -> None:
        """`started_within` and `window` will never be asked about calls started before `at`
        again (each call leaves once, in start order: not a scan of the window)."""
        order, started = self._start_order, self._started
        while order and order[0][0] < at:
            t, key = heapq.heappop(order)
            kept = started.get(key)
            if kept is not None and kept[0] == t:  # else discarded or re-added since
                del started[key]
                self._window_apply(kept[1], Tally.minus)

    def window(self) -> dict[str, Tally]:
        """Per group, the tally of the calls not yet forgotten (`forget_started_before`), kept
        as a running sum: the live staffing window without summing its calls again."""
        if self._window is None:
            self._window = {}
            for _, share in self._started.values():
                fold(self._window, share.groups, Tally.plus)
        return dict(self._window)

    def _window_apply(self, share: CallShare, op: Callable[[Tally, Tally], Tally]) -> None:
        if self._window is not None:
            fold(self._window, share.groups, op)

    def group(self, slug: str) -> Tally:
        """One group's tally (empty when it had no calls)."""
        return self._groups.get(slug, EMPTY)

    def agent(self, key: str) -> Tally:
        """One agent's tally."""
        return self._agents.get(key, EMPTY)

    def agent_keys(self) -> list[str]:
        """Every agent that answered a counted call, sorted."""
        return sorted(k for k, t in self._agents.items() if t.answered)

    def _apply(self, share: CallShare, op: Callable[[Tally, Tally], Tally]) -> None:
        fold(self._groups, share.groups, op)
        if share.agent is not None:
            self._agents[share.agent] = op(self._agents.get(share.agent, EMPTY), share.agent_tally)
