"""Calls no process saw, stored from Asterisk's queue_log after every AMI (re)login.

Between a crash and the restarted process's login (or during an AMI cut) Asterisk goes on
handling calls. The journal and the resync store the calls some process had seen; a call that
began and ended unseen is only in Asterisk's queue_log. After each resync of a PBX whose
queue_log is configured, its recent part is read and every finished queue call that is neither
stored nor live is stored as ended during the outage (domain.reconcile.recovery). Without a
queue_log nothing can be done for such calls: that is said once in the log at start.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from callcenter.domain.calls.livecall import LiveCall
from callcenter.domain.calls.records import CallRecord
from callcenter.domain.reconcile.queue_log import QueueLogFold
from callcenter.domain.reconcile.queued_call import QueuedCall
from callcenter.domain.reconcile.recovery import (
    corrected_record,
    recovered_record,
    unknown_in_progress,
    unseen_calls,
)
from callcenter.ports.live_calls import QueueLogSource
from callcenter.ports.uow import UowFactory

log = logging.getLogger(__name__)


class LiveCalls(Protocol):
    """The tracker as the recovery sees it."""

    def live(self, pbx: str) -> list[LiveCall]: ...


@dataclass
class RecoveryStats:
    """Counters for /metrics."""

    runs: int = 0
    recovered: int = 0  # calls stored from the queue_log
    corrected: int = 0  # calls stored as ended during an outage, set right from the queue_log
    failures: int = 0  # a run that could not read the log or the database: logged


class QueueLogRecovery:
    """Reads back, per PBX, the calls its queue_log has and we neither stored nor track."""

    def __init__(
        self,
        *,
        uow: UowFactory,
        sources: Mapping[str, QueueLogSource],
        trackers: Mapping[str, LiveCalls],
        submit: Callable[[CallRecord], bool],
        region: str,
        lookback_s: float = 3600.0,
        timeout_s: float = 30.0,
        recheck_s: float = 10.0,
        rechecks: int = 60,
        flushed: Callable[[], Awaitable[bool]] | None = None,
    ) -> None:
        self._uow = uow
        self._sources = sources
        self._trackers = trackers
        self._submit = submit
        self._region = region
        self._lookback = lookback_s
        self._timeout = timeout_s
        self._recheck_s, self._rechecks = recheck_s, rechecks
        self._flushed = flushed  # the store has written what was submitted so far
        self.stats = RecoveryStats()

    def covers(self, pbx: str) -> bool:
        """Whether this PBX's queue_log is configured."""
        return pbx in self._sources

    async def recover(self, pbx: str) -> int:
        """Store this PBX's unseen finished calls of the lookback window; how many."""
        return (await self._pass(pbx))[0]

    async def _pass(self, pbx: str, *, correct: bool = True) -> tuple[int, set[str]]:
        """Calls stored, and the calls in progress in the log that the tracker does not know;
        with `correct`, the records the resync stored as ended unseen are set right first."""
        source = self._sources.get(pbx)
        if source is None:
            return 0, set()
        self.stats.runs += 1
        async with asyncio.timeout(self._timeout):
            lines = await source.recent(self._lookback)
        fold = await asyncio.to_thread(QueueLogFold().feed_all, lines)
        if fold.first_at is None:
            return 0, set()
        tracker = self._trackers.get(pbx)
        live = {c.linkedid for c in tracker.live(pbx)} if tracker is not None else set()
        calls = fold.calls()
        candidates = unseen_calls(calls, live, since=fold.first_at)
        waiting = unknown_in_progress(calls, live)
        if correct:
            await self._correct(pbx, [c for c in calls if c.finished and c.callid not in live])
        if not candidates:
            return 0, waiting
        async with asyncio.timeout(self._timeout), self._uow() as work:
            stored = await work.calls.stored_of(pbx, [c.callid for c in candidates])
        # Calls that became live meanwhile are the tracker's; the store skips any stored since.
        live = {c.linkedid for c in tracker.live(pbx)} if tracker is not None else set()
        taken = 0
        for call in candidates:
            if call.callid in stored or call.callid in live:
                continue
            if self._submit(recovered_record(pbx, call, self._region)):
                taken += 1
        self.stats.recovered += taken
        if taken:
            log.warning(
                "AMI %s: %d call(s) no process saw (they began and ended while none was logged "
                "in) read back from the queue_log; stored as ended_during_outage",
                pbx,
                taken,
            )
        return taken, waiting

    async def _correct(self, pbx: str, finished: Sequence[QueuedCall]) -> None:
        """Set right the calls stored as ended during the outage whose whole course the log has
        (a call answered and hung up inside an AMI cut was stored as it stood at the cut)."""
        if not finished:
            return
        if self._flushed is not None:  # the resync's own records are written first
            await self._flushed()
        by_id = {c.callid: c for c in finished}
        async with asyncio.timeout(self._timeout), self._uow() as work:
            stored = await work.calls.ended_unseen(pbx, list(by_id))
            fixed = [
                r
                for r in (corrected_record(s, by_id[s.linkedid], self._region) for s in stored)
                if r is not None
            ]
            done = [r for r in fixed if await work.calls.correct(r)]
            await work.commit()
        self.stats.corrected += len(done)
        for record in done:
            log.warning(
                "AMI %s: call %s ended while the connection was down; the queue_log says %s "
                "(agent %s, talk %.0f s): its record is set right",
                pbx,
                record.linkedid,
                record.outcome,
                record.agent,
                record.talk_s,
            )

    async def recover_or_log(self, pbx: str) -> None:
        """`recover`, then again every `recheck_s` while the log shows calls in progress that
        the tracker does not know (begun around the login; stored once ended); a failure is
        counted and logged, never raised."""
        for check in range(self._rechecks + 1):
            try:  # the resync's records are set right once; rechecks look for unseen calls
                _, waiting = await self._pass(pbx, correct=check == 0)
            except Exception as exc:
                self.stats.failures += 1
                log.error(
                    "AMI %s: the queue_log could not be read back (%r): calls that began and "
                    "ended while no process was logged in are NOT stored until the next login "
                    "reads it",
                    pbx,
                    exc,
                )
                return
            if not waiting:
                return
            await asyncio.sleep(self._recheck_s)
