"""The offering service's open work items in memory: those waiting or held now, and those whose
next attempt lies ahead (kept aside in a heap, out of every pass's scan, until due)."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Collection

from callcenter.domain.work_assignment import HELD, OFFERABLE
from callcenter.ports.work_offers import WorkEntry
from callcenter.services.work_board import next_deadline

OPEN = OFFERABLE | HELD


class OpenItems:
    """`items` (waiting now, or held) and the items waiting for a retry time."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self.items: dict[int, WorkEntry] = {}
        self._later: list[tuple[float, int, WorkEntry]] = []  # (retry time, id, entry) heap
        self._later_at: dict[int, float] = {}  # the heap's live entries (others are stale)

    def replace_all(self, entries: Collection[WorkEntry]) -> None:
        """Every open item, as read in full."""
        self.items, self._later, self._later_at = {}, [], {}
        for entry in entries:
            self.add(entry)

    def add(self, entry: WorkEntry) -> None:
        """An open item as it is now (a retry ahead puts it aside until then)."""
        at = entry.not_before.timestamp() if entry.not_before else 0.0
        self._later_at.pop(entry.id, None)
        if entry.status in OFFERABLE and at > self._clock():
            self.items.pop(entry.id, None)
            self._later_at[entry.id] = at
            heapq.heappush(self._later, (at, entry.id, entry))
        else:
            self.items[entry.id] = entry

    def drop(self, item_id: int) -> None:
        """The item is closed (or gone)."""
        self.items.pop(item_id, None)
        self._later_at.pop(item_id, None)

    def apply(self, ids: Collection[int], entries: Collection[WorkEntry]) -> None:
        """Items `ids` as just read (`entries`): open ones kept as stored, the others dropped."""
        kept = set()
        for entry in entries:
            if entry.status in OPEN:
                self.add(entry)
                kept.add(entry.id)
        for item_id in set(ids) - kept:
            self.drop(item_id)

    def due(self, now: float) -> None:
        """Items whose retry time has come join the waiting ones."""
        while self._later and self._later[0][0] <= now:
            at, item_id, entry = heapq.heappop(self._later)
            if self._later_at.get(item_id) == at:  # else moved or closed since it was pushed
                del self._later_at[item_id]
                self.items.setdefault(item_id, entry)

    def next_time(self) -> float:
        """The soonest offer deadline or retry time (epoch seconds), inf if none."""
        later = self._later[0][0] if self._later else float("inf")
        return min(later, next_deadline(self.items.values()))

    def sleep_s(self, idle_s: float) -> float:
        """How long the loop may sleep: until the next deadline or retry, at most `idle_s`."""
        return max(0.01, min(idle_s, self.next_time() - self._clock()))
