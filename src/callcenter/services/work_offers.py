"""Offering work items: one agent at a time, reservation timers, accept / reject / complete.

The store is the truth (compare-and-set writes); memory caches the open items, rebuilt on start:
an offered item keeps its one holder until its deadline, then goes on. One process runs the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime

from callcenter.domain.access.auth import MANAGERS, Principal
from callcenter.domain.agents.presence import PresenceBoard
from callcenter.domain.agents.records import Agent
from callcenter.domain.calls.facts import Fact
from callcenter.domain.work_assignment import HELD, OFFERABLE, VOICE, channel_of, plan
from callcenter.domain.work_items import WorkItem
from callcenter.ports.push import Notifier, WorkUpdate
from callcenter.ports.uow import UowFactory
from callcenter.ports.work_offers import Moved, WorkEntry, WorkOfferStore
from callcenter.services import work_board as board
from callcenter.services.errors import Conflict, Forbidden, InvalidField
from callcenter.services.work_board import OfferRules
from callcenter.services.work_callbacks import CallbackDialer

log = logging.getLogger(__name__)


class WorkOffers:
    """The offering loop and the desktop's accept / reject / complete."""

    def __init__(
        self,
        *,
        store: WorkOfferStore,
        uow: UowFactory,
        presence: PresenceBoard,
        notifier: Notifier,
        dialer: CallbackDialer,
        rules: OfferRules | None = None,
        disposition_codes: tuple[str, ...] = (),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._uow = uow
        self._presence = presence
        self._notifier = notifier
        self.dialer = dialer
        self.rules = rules or OfferRules()
        self.disposition_codes = disposition_codes
        self._clock = clock
        self._items: dict[int, WorkEntry] = {}  # waiting now, or held
        self._later: list[tuple[float, int, WorkEntry]] = []  # waiting for a retry time (heap)
        self._agents: dict[str, Agent] = {}
        self._queue_of: dict[str, str] = {}
        self._last_id = 0
        self._resynced = self._polled = 0.0
        self._fresh: list[WorkEntry] = []  # filed by intake in this process, not read back
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.offers_made = 0
        self.on_closed: Callable[[], None] = lambda: None  # e.g. the wallboard's work figures
        dialer.settle = self._callback_settled

    async def start(self) -> None:
        """Load the floor and the open items (offers still running are re-sent), then loop."""
        try:
            async with self._lock:
                await self._resync(resend=True)
        except Exception as exc:  # a dead database must not stop the process: the loop retries
            log.warning("work offers: open items not loaded yet: %r", exc)
        self._task = asyncio.get_running_loop().create_task(self._run(), name="work-offers")

    async def aclose(self) -> None:
        """Stop the loop (offers stay stored and are picked up by the next start)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.dialer.aclose()

    def filed(self, items: list[WorkItem]) -> None:
        """Items intake has just stored: offered on the next pass without a read of the store."""
        self._fresh += [e for e in map(board.entry_of, items) if e is not None]
        self._wake.set()

    def nudge(self) -> None:
        """New items were filed (intake calls this), or capacity freed: run a pass now."""
        self._wake.set()

    def on_fact(self, fact: Fact) -> None:
        """Call facts: a callback's dial ends; an agent's phone frees up (a pass may offer)."""
        self.dialer.on_fact(fact)
        self._wake.set()

    async def agent_work(self, *, code: str) -> list[WorkEntry]:
        """The items offered to or held by the agent."""
        return await self._store.for_agent(code)

    async def accept(self, *, code: str, item_id: int, by: Principal) -> WorkEntry:
        """The agent takes the offered item; a callback is dialled agent-first at once."""
        async with self._lock:
            entry = await self._held(code, item_id, ("offered",), by)
            if entry.expires_at is not None and entry.expires_at.timestamp() <= self._clock():
                raise Conflict(f"the offer of item {item_id} to agent {code} has expired")
            if not await self._store.move(
                item_id=item_id, agent=code, from_statuses=("offered",), status="accepted"
            ):
                raise Conflict(f"item {item_id} is no longer offered to agent {code}")
            entry = self._items[item_id] = replace(entry, status="accepted", expires_at=None)
        self._notifier.work_update(code, WorkUpdate(item_id, "accepted", None, entry.customer_id))
        if channel_of(entry.kind) == VOICE:
            agent = self._agents.get(code)
            if agent is not None:
                await self.dialer.dial(entry, agent)
        else:
            await self._back_office_pause(code)
        return self._items.get(item_id, entry)

    async def reject(self, *, code: str, item_id: int, by: Principal) -> None:
        """The agent declines: the item goes to the next agent (never back to this one)."""
        async with self._lock:
            entry = await self._held(code, item_id, ("offered",), by)
            if not await self._store.release(item_id=item_id, agent=code, declined=True):
                raise Conflict(f"item {item_id} is no longer offered to agent {code}")
            self._items[item_id] = board.released(entry, code, declined=True)
        self._notifier.work_update(code, WorkUpdate(item_id, "rejected"))
        self._wake.set()

    async def complete(
        self, *, code: str, item_id: int, disposition: str, by: Principal
    ) -> WorkEntry:
        """The agent finished the item with a disposition: done, and a contact in the history."""
        if self.disposition_codes and disposition not in self.disposition_codes:
            raise InvalidField(("disposition",), f"unknown disposition {disposition!r}")
        async with self._lock:
            entry = await self._held(code, item_id, ("accepted", "in_progress"), by)
            if not await self.dialer.closer.close_held(
                item_id=item_id,
                agent=code,
                expected=("accepted", "in_progress"),
                status="done",
                now=datetime.fromtimestamp(self._clock(), UTC),
                disposition_code=disposition,
            ):
                raise Conflict(f"item {item_id} is not held by agent {code}")
            self._items.pop(item_id, None)
            self.dialer.forget(item_id)
        self._notifier.work_update(code, WorkUpdate(item_id, "done", entry.outcome))
        self.on_closed()
        await self._back_office_pause(code)
        self._wake.set()
        return replace(entry, status="done", disposition=disposition)

    async def requeue(self, move: Callable[[], Awaitable[Moved]]) -> Moved:
        """Run `move` (an item sent to another group) while no pass runs, then offer the item
        anew; its last holder's back-office pause is reconsidered."""
        async with self._lock:
            entry, holder = await move()
            self._items[entry.id] = entry
        if holder is not None:
            await self._back_office_pause(holder)
        self._wake.set()
        return entry, holder

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._sleep_s()):
                    await self._wake.wait()
            self._wake.clear()
            try:
                async with self._lock:
                    await self.run_pass()
            except Exception:  # the database away: try again on the next wake-up
                log.exception("work offers: pass failed")
                await asyncio.sleep(1.0)

    async def run_pass(self) -> None:
        """Expire offers past their deadline, pick up new items, make the offers the policy says."""
        now = self._clock()
        fresh, self._fresh = self._fresh, []
        if now - self._resynced >= self.rules.resync_s:
            await self._resync(resend=False)
        elif not fresh or now - self._polled >= self.rules.poll_s:
            self._polled = now
            for entry in await self._store.open_entries(after_id=self._last_id):
                self._add(entry)
        for entry in fresh:  # unless read meanwhile (and perhaps offered): that state stands
            self._items.setdefault(entry.id, entry)
        self._due(now)
        await self._expire(now)
        floor, items = board.pass_view(
            self._agents, self._queue_of, self._presence, self._items, self.rules, now
        )
        if not items:
            return
        offers = plan(
            items,
            floor,
            self.rules.capacities,
            now=now,
            default=self.rules.default_capacity,
        )
        if not offers:
            return
        expires = datetime.fromtimestamp(now + self.rules.offer_timeout_s, UTC)
        made = await self._store.offer([(o.item_id, o.agent) for o in offers], expires_at=expires)
        for item_id, agent in made:
            entry = self._items[item_id] = replace(
                self._items[item_id], status="offered", agent=agent, expires_at=expires
            )
            self._send_offer(entry)
        self.offers_made += len(made)
        if len(made) < len(offers):  # someone else moved some items: re-read them next pass
            self._resynced = 0.0

    async def _expire(self, now: float) -> None:
        deadline = datetime.fromtimestamp(now, UTC)
        for entry in list(self._items.values()):
            if entry.status != "offered" or entry.agent is None or entry.expires_at is None:
                continue
            if entry.expires_at > deadline:
                continue
            if await self._store.release(item_id=entry.id, agent=entry.agent, declined=True):
                self._items[entry.id] = board.released(entry, entry.agent, declined=True)
                self._notifier.work_update(entry.agent, WorkUpdate(entry.id, "withdrawn"))
                log.info("work item %d: offer to %s timed out", entry.id, entry.agent)

    async def _resync(self, *, resend: bool) -> None:
        async with self._uow() as uow:
            self._agents = {a.code: a for a in await uow.agents.list_all(active_only=True)}
            self._queue_of = {g.slug: g.queue for g in await uow.groups.list_all()}
        self.dialer.agents = self._agents
        entries = await self._store.open_entries()
        self._items, self._later = {}, []
        for entry in entries:
            self._add(entry)
        self._resynced = self._clock()
        if resend:  # a restarted process: the desktops hear again of the offers still running
            for entry in entries:
                if entry.status == "offered" and entry.agent is not None:
                    self._send_offer(entry)

    def _add(self, entry: WorkEntry) -> None:
        self._last_id = max(self._last_id, entry.id)
        at = entry.not_before.timestamp() if entry.not_before else 0.0
        if entry.status in OFFERABLE and at > self._clock():  # kept out of every pass's scan
            self._items.pop(entry.id, None)
            heapq.heappush(self._later, (at, entry.id, entry))
        else:
            self._items[entry.id] = entry

    def _due(self, now: float) -> None:
        while self._later and self._later[0][0] <= now:
            _, item_id, entry = heapq.heappop(self._later)
            self._items.setdefault(item_id, entry)

    def _sleep_s(self) -> float:
        later = self._later[0][0] if self._later else float("inf")
        soonest = min(later, board.next_deadline(self._items.values())) - self._clock()
        return max(0.01, min(self.rules.poll_s, soonest))

    async def _held(
        self, code: str, item_id: int, statuses: tuple[str, ...], by: Principal
    ) -> WorkEntry:
        if by.role not in MANAGERS and by.agent_code != code:
            raise Forbidden(f"only agent {code} or a supervisor may act on agent {code}'s work")
        entry = self._items.get(item_id) or await self._store.get(item_id)
        return board.holding(entry, item_id, code, statuses)

    def _send_offer(self, entry: WorkEntry) -> None:
        assert entry.agent is not None
        self._notifier.work_offer(entry.agent, board.offer_message(entry, self._clock()))

    async def _back_office_pause(self, code: str) -> None:
        """Paused in the voice queues while holding unblended back-office work, else not."""
        items, caps = self._items.values(), self.rules.capacities
        pause = board.back_office_pause(items, code, caps, self._presence.get(code))
        if pause is not None:
            await self.dialer.pause(code, paused=pause)

    async def _callback_settled(self, entry: WorkEntry | None, item_id: int) -> None:
        async with self._lock:
            if entry is None or entry.status not in HELD | OFFERABLE:
                self._items.pop(item_id, None)
                self.on_closed()
            else:
                self._add(entry)
        self._wake.set()
