"""Live calls journalled off the hot path, so a restarted process stores every call it knew.

Every `interval_s` the journaller snapshots the live calls events reached since its last pass
(the tracker notes them), compares each with what it last wrote and saves the changed ones in
one batch (coalesced: a call that changed ten times is written once).
A call that left the tracker is forgotten only once the call store has written everything
submitted up to then, so its record or its journal row always survives a kill -9.

When a process becomes the AMI listener of a PBX it restores that PBX's journal into the tracker
before the first resync: the calls Asterisk no longer has are then stored as ended during the
outage; the others carry on with what the journal knew (agent, wait, ring attempts).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from callcenter.background import cancel_and_wait
from callcenter.domain.calls.journal import SnapshotError, restore, snapshot
from callcenter.domain.calls.livecall import LiveCall
from callcenter.ports.live_calls import CallKey, LiveCallJournal, Snapshot

log = logging.getLogger(__name__)


class LiveCalls(Protocol):
    """The tracker as the journal sees it."""

    def live(self, pbx: str) -> list[LiveCall]: ...
    def changed(self, pbx: str) -> list[LiveCall]: ...
    def restore(self, calls: list[LiveCall]) -> int: ...


class StoreProgress(Protocol):
    """How far the call store got: records accepted and records written (in order)."""

    @property
    def submitted(self) -> int: ...
    @property
    def completed(self) -> int: ...


@dataclass
class JournalStats:
    """Counters for /metrics."""

    saved: int = 0
    forgotten: int = 0
    restored: int = 0
    unreadable: int = 0  # journalled calls that could not be read back: logged, not stored
    write_failures: int = 0
    restore_failures: int = 0  # a PBX's journal could not be loaded at start: logged
    pending: int = field(default=0)


class CallJournaller:
    """Writes each PBX's live calls to the journal in coalesced batches; restores them."""

    def __init__(
        self,
        *,
        journal: LiveCallJournal,
        trackers: Mapping[str, LiveCalls],
        store: StoreProgress,
        interval_s: float = 0.2,
        write_timeout_s: float = 5.0,
        restore_delay_s: float = 0.0,
    ) -> None:
        self._journal = journal
        self._trackers = trackers
        self._store = store
        self._interval = interval_s
        self._timeout = write_timeout_s
        # Scale-out: a previous listener still alive (it lost its lock in a database stall)
        # writes the calls it saw during the stall within an interval of the database's return.
        self._restore_delay = restore_delay_s
        self._written: dict[CallKey, Snapshot] = {}  # as the journal holds them
        self._latest: dict[CallKey, Snapshot] = {}  # as last seen live
        self._unwritten: set[CallKey] = set()  # live calls whose latest snapshot is not written
        self._ended: dict[CallKey, int] = {}  # key -> store submissions when it was seen gone
        self._task: asyncio.Task[None] | None = None
        self.stats = JournalStats()

    def start(self) -> None:
        """Start the background writer."""
        self._task = asyncio.get_running_loop().create_task(self._run(), name="call-journal")

    async def aclose(self) -> None:
        """One last flush (bounded), then stop."""
        if self._task is None:
            return
        await cancel_and_wait(self._task)
        self._task = None
        with contextlib.suppress(Exception):
            async with asyncio.timeout(self._timeout):
                await self.flush()

    async def restore(self, pbx: str) -> int:
        """Put this PBX's journalled calls back into its tracker (before the first resync)."""
        tracker = self._trackers.get(pbx)
        if tracker is None:
            return 0
        async with asyncio.timeout(self._timeout):
            rows = await self._journal.load(pbx)
        calls: list[LiveCall] = []
        for linkedid, data in rows.items():
            try:
                call = restore(data)
            except SnapshotError as exc:
                self.stats.unreadable += 1
                log.error("journalled call %s/%s cannot be restored: %s", pbx, linkedid, exc)
                self._ended[(pbx, linkedid)] = self._store.submitted
                continue
            calls.append(call)
        taken = tracker.restore(calls)
        for call in calls:
            key = (call.pbx, call.linkedid)
            self._written[key] = self._latest[key] = snapshot(call)
        self.stats.restored += taken
        if rows:
            log.warning(
                "AMI %s: %d call(s) restored from the journal; the resync ends the ones "
                "Asterisk no longer has (stored as ended_during_outage)",
                pbx,
                taken,
            )
        return taken

    async def restore_or_log(self, pbx: str, attempts: int = 5) -> None:
        """`restore`, retried while the database is away; a failure is counted and logged."""
        if self._restore_delay:
            await asyncio.sleep(self._restore_delay)
        delay = 0.2
        for attempt in range(1, attempts + 1):
            try:
                await self.restore(pbx)
                return
            except Exception as exc:
                if attempt == attempts:
                    self.stats.restore_failures += 1
                    log.error(
                        "AMI %s: the live-call journal could not be read (%r): calls that "
                        "ended while no process listened are NOT stored until a later start "
                        "reads it",
                        pbx,
                        exc,
                    )
                    return
                await asyncio.sleep(delay)
                delay = min(2.0, delay * 2)

    async def flush(self) -> None:
        """Write what changed since the last flush and forget calls whose records are stored.

        A call that ended before its snapshot could be written (a write failed meanwhile) is
        written all the same while its record waits in the store: one of the two survives.
        """
        live: set[CallKey] = set()
        for pbx, tracker in self._trackers.items():
            live.update((call.pbx, call.linkedid) for call in tracker.live(pbx))
            for call in tracker.changed(pbx):
                key = (call.pbx, call.linkedid)
                data = self._latest[key] = snapshot(call)
                if self._written.get(key) == data:
                    self._unwritten.discard(key)
                else:
                    self._unwritten.add(key)
        batch = {key: self._latest[key] for key in self._unwritten if key in live}
        mark = self._store.submitted
        done = self._store.completed
        for key in self._latest.keys() - live:
            self._ended.setdefault(key, mark)
            if key not in self._written and self._ended[key] > done:
                batch[key] = self._latest[key]
        forget = [key for key, at in self._ended.items() if at <= done]
        self.stats.pending = len(batch)
        if batch:
            async with asyncio.timeout(self._timeout):
                await self._journal.save(batch)
            self._written.update(batch)
            self._unwritten.difference_update(batch)
            self.stats.saved += len(batch)
        if forget:
            async with asyncio.timeout(self._timeout):
                await self._journal.forget(forget)
            for key in forget:
                self._ended.pop(key, None)
                self._written.pop(key, None)
                self._latest.pop(key, None)
                self._unwritten.discard(key)
            self.stats.forgotten += len(forget)
        self.stats.pending = 0

    async def _run(self) -> None:
        failing = False
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.flush()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.stats.write_failures += 1
                if not failing:
                    log.warning("live-call journal write failed (%r); retrying", exc)
                failing = True
                continue
            if failing:
                log.info("live-call journal writes again")
            failing = False
