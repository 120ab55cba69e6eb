"""The live wallboard: facts folded into today's figures, published coalesced on `wallboard`."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from callcenter.domain.agents.pause_time import PauseClock
from callcenter.domain.agents.presence import PresenceBoard
from callcenter.domain.calls.facts import AgentStateChanged, CallEnded, Fact
from callcenter.domain.calls.records import CallRecord
from callcenter.domain.kpi.alarms import AlarmRules, floor_alarms
from callcenter.domain.kpi.book import (
    KpiBook,
    KpiRules,
    agent_figures,
    business_day,
    day_bounds,
)
from callcenter.domain.kpi.floor import LiveQueues, floor_snapshot
from callcenter.domain.kpi.staffing import StaffingRules, live_agents_needed
from callcenter.domain.kpi.trend import TrendBook
from callcenter.domain.routing.groups import Group
from callcenter.ports.push import Notifier, WallboardFigures
from callcenter.ports.uow import UowFactory
from callcenter.services.publisher import Clock, CoalescedPublisher, Sleep

log = logging.getLogger(__name__)


class WallboardService:
    """Today's per-group and per-agent figures; at most one `wallboard` message per interval."""

    def __init__(
        self,
        *,
        notifier: Notifier,
        presence: PresenceBoard,
        groups: list[Group],
        timezone: str = "Asia/Shanghai",
        day_start_hour: int = 0,
        short_abandon_s: float = 5.0,
        wrapup_s: dict[str, float] | None = None,
        agent_code: Callable[[str], str | None] | None = None,
        clock: Clock = time.time,
        sleep: Sleep = asyncio.sleep,
        min_interval_s: float = 1.0,
        staffing: StaffingRules | None = None,
        alarms: AlarmRules | None = None,
        kept_calls: int | None = 20_000,  # records kept replaceable (domain/kpi/book.py)
    ) -> None:
        self._kept_calls = kept_calls
        self._notifier = notifier
        self._presence = presence
        self._groups = list(groups)
        self._tz_name = timezone
        self._tz = ZoneInfo(timezone)
        self._start_hour = day_start_hour
        self._rules = KpiRules(
            groups=tuple(groups), short_abandon_s=short_abandon_s, wrapup_s=dict(wrapup_s or {})
        )
        self._agent_code = agent_code
        self._clock = clock
        self._staffing = staffing or StaffingRules()
        self._day = self._today()
        self._day_span = (0.0, 0.0)  # [start, end) of self._day as timestamps, once known
        self._book = self._new_book()
        self._live = LiveQueues()
        self._paused = PauseClock()
        self._last_queues: dict[str, tuple[str, ...]] = {}
        self._dirty = False
        self.pause_pending: Callable[[str], str | None] = lambda code: None  # asked mid-call
        self.work_groups: Callable[[str], list[str]] = lambda code: []  # logged in for work
        self._publisher = CoalescedPublisher(
            self.flush, name="wallboard", min_interval_s=min_interval_s, clock=clock, sleep=sleep
        )
        self._trend = TrendBook()
        self._alarms = alarms or AlarmRules()
        self._published_alarms: set[tuple[str, Any]] = set()
        self.work_figures: Callable[[str], dict[str, Any]] | None = None  # per group slug
        self.published = 0

    @property
    def day(self) -> date:
        """The business day the figures are for."""
        return self._day

    def _today(self) -> date:
        return business_day(datetime.fromtimestamp(self._clock(), UTC), self._tz, self._start_hour)

    def _new_book(self) -> KpiBook:
        return KpiBook(self._rules, agent_key=self._agent_key, max_records=self._kept_calls)

    def _agent_key(self, record: CallRecord) -> str | None:
        if record.agent is None:
            return None
        if self._agent_code is None:
            return record.agent
        return self._agent_code(record.agent) or record.agent

    def changed(self) -> None:
        """Something shown outside the facts changed (a pending pause): push a new snapshot."""
        self._mark()

    def _mark(self) -> None:
        self._dirty = True
        self._publisher.wake()

    def roll_over(self) -> bool:
        """Start a new day's figures when the business day changed; True if it did."""
        now = self._clock()
        if self._day_span[0] <= now < self._day_span[1]:
            return False  # every fact asks: answered without a time zone conversion
        today = business_day(datetime.fromtimestamp(now, UTC), self._tz, self._start_hour)
        start, end = day_bounds(today, self._tz, self._start_hour)
        self._day_span = (start.timestamp(), end.timestamp())
        if today == self._day:
            return False
        log.info("wallboard: business day %s over, starting %s", self._day, today)
        self._day = today
        self._book = self._new_book()
        self._live.forget_offered_before(start.timestamp())
        self._paused.new_day(start.timestamp())
        self._mark()
        return True

    def on_fact(self, fact: Fact) -> None:
        """Fold one fact (registered with CallTracking.add_listener)."""
        self.roll_over()
        if isinstance(fact, AgentStateChanged):
            self._agent_state(fact)
            self._mark()
            return
        changed = self._live.apply(fact)
        if isinstance(fact, CallEnded):
            changed = self.add_record(fact.record) or changed
        if changed:
            self._mark()

    def _agent_state(self, fact: AgentStateChanged) -> None:
        code = self._agent_code(fact.member_name or fact.interface) if self._agent_code else None
        code = code or fact.member_name or fact.interface
        if fact.queues:
            self._last_queues[code] = fact.queues
        self._paused.state(code, fact.state, fact.at)

    def agent_today(self, code: str) -> dict[str, Any]:
        """One agent's figures today (answered, AHT, FCR %, time paused) and the callers waiting
        now in the queues the agent is a member of."""
        self.roll_over()
        seen = self._presence.get(code)
        return {
            "agent": code,
            "day": self._day.isoformat(),
            **agent_figures(self._book.agent(code)),
            "paused_s": self._paused.paused_s(code, self._clock()),
            "paused_now": self._paused.paused_now(code),
            **self._live.waiting_in(seen.queues if seen else (), self._clock()),
        }

    def live_calls(self, pbx: str) -> list[dict[str, Any]]:
        """What is live on a PBX now (this process folds its facts), for the other processes."""
        return self._live.export(pbx)

    def adopt_live_calls(self, pbx: str, calls: list[dict[str, Any]]) -> None:
        """Take the live calls of a PBX from the process that folds its facts (after an outage)."""
        self._live.adopt(pbx, calls)
        self._mark()

    def add_record(self, record: CallRecord) -> bool:
        """Count a finished call if it belongs to today; True when it was counted."""
        if business_day(record.started_at, self._tz, self._start_hour) != self._day:
            return False
        self._book.add(record)
        self._mark()
        return True

    def on_disposition(
        self, *, pbx: str, linkedid: str, code: str, settled: bool, wrapup_s: float | None = None
    ) -> bool:
        """An agent recorded a disposition for a call: it now counts towards FCR."""
        record = self._book.record((pbx, linkedid))
        if record is None:
            return False
        self._book.add(
            replace(
                record,
                disposition_code=code,
                settled_first_contact=settled,
                wrapup_s=record.wrapup_s if wrapup_s is None else wrapup_s,
            )
        )
        self._mark()
        return True

    async def rebuild(self, uow_factory: UowFactory) -> int:
        """Count today's stored calls (after a restart the day goes on); how many were not
        counted here (a sealed call counts as one). No groups given: the groups table's. The
        day is counted afresh from storage; a call counted here keeps our record unless storage
        knows its disposition and we do not; calls counted here, not stored yet, are kept."""
        self.roll_over()
        day = self._day
        start, end = day_bounds(day, self._tz, self._start_hour)
        async with uow_factory() as uow:
            groups = [] if self._groups else await uow.groups.list_all()
            records = await uow.reports.call_records_between(start=start, end=end)
        if groups:
            self._groups = list(groups)
            self._rules = replace(self._rules, groups=tuple(groups))
        if day != self._day:  # the day rolled over while we read
            return 0
        old, book, fresh = self._book, self._new_book(), 0
        for stored in records:
            known = old.record((stored.pbx, stored.linkedid))
            fresh += known is None
            ours = known is not None and (
                known.disposition_code is not None or stored.disposition_code is None
            )
            book.add(known if ours and known is not None else stored)
        for known in old.records():  # counted here, not stored yet
            if (known.pbx, known.linkedid) not in book:
                book.add(known)
        self._book = book
        self._mark()
        log.info("wallboard: %d stored calls of %s counted", fresh, day)
        return fresh

    def snapshot(self) -> dict[str, Any]:
        """The figures now (format in contracts.md)."""
        self.roll_over()
        now = self._clock()
        snapshot = {
            "generated_at": datetime.fromtimestamp(now, self._tz).isoformat(),
            "day": self._day.isoformat(),
            "timezone": self._tz_name,
            **floor_snapshot(
                now=now,
                groups=self._groups,
                book=self._book,
                live=self._live,
                agents=self._presence.all(),
                last_queues=self._last_queues,
            ),
        }
        needed = live_agents_needed(
            book=self._book,
            rules=self._rules,
            now=now,
            staffing=self._staffing,
            day_aht={g["slug"]: g["aht_s"] for g in snapshot["groups"]},
        )
        for group in snapshot["groups"]:
            group["agents_needed"] = needed.get(group["slug"])
            if self.work_figures is not None:  # work items (services/work_wallboard.py)
                group["work"] = self.work_figures(group["slug"])
        for agent in snapshot["agents"]:
            agent["pause_pending"] = self.pause_pending(agent["code"])
            agent["work_groups"] = self.work_groups(agent["code"])
            agent["paused_s"] = self._paused.paused_s(agent["code"], now)
        snapshot["trend"] = self._trend.observe(now, snapshot["groups"])
        snapshot["alarms"] = floor_alarms(snapshot["groups"], snapshot["agents"], self._alarms)
        return snapshot

    def flush(self) -> bool:
        """Publish the snapshot if anything changed since the last one; True if published."""
        self.roll_over()
        due = self._dirty or self._trend.new_step(self._clock())
        if not due and not self._may_cross():
            return False
        snapshot = self.snapshot()
        alarms = {(a["kind"], a.get("group") or a.get("agent")) for a in snapshot["alarms"]}
        if not due and alarms == self._published_alarms:
            return False
        self._dirty = False
        self._published_alarms = alarms
        self._notifier.wallboard(WallboardFigures(snapshot))
        self._publisher.published_now()
        self.published += 1
        return True

    def _may_cross(self) -> bool:
        """A wait or a pause going on that may cross its alarm limit with no new fact."""
        limits = self._alarms.pause_limits_s
        paused = any(a.state == "paused" and a.reason in limits for a in self._presence.all())
        return paused or self._live.anyone_waiting()

    def start(self) -> None:
        """Start the publisher task."""
        self._publisher.start()

    async def aclose(self) -> None:
        """Stop the publisher task."""
        await self._publisher.aclose()
