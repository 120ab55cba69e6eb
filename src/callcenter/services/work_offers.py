"""Offering work items: one agent at a time, reservation timers, accept / reject / complete.

The store is the truth (compare-and-set writes); memory holds the open items, read in full on start
and after a resync (the bus was away), then kept up to date from own writes, intake's filings and
the change feed (re-read by id). An offer keeps its holder until its deadline; one process offers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Collection, Iterable
from dataclasses import replace
from datetime import UTC, datetime

from callcenter.background import cancel_and_wait
from callcenter.domain.access.auth import Principal
from callcenter.domain.agents.presence import PresenceBoard
from callcenter.domain.calls.facts import Fact
from callcenter.domain.work_assignment import VOICE, channel_of, plan
from callcenter.domain.work_items import WorkItem
from callcenter.ports.push import Notifier, WorkUpdate
from callcenter.ports.uow import UowFactory
from callcenter.ports.work_logins import WorkLoginStore
from callcenter.ports.work_offers import Moved, WorkEntry, WorkOfferStore
from callcenter.services import work_board as board
from callcenter.services.errors import Conflict, InvalidField
from callcenter.services.work_callbacks import CallbackDialer
from callcenter.services.work_floor import OfferFloor
from callcenter.services.work_open_items import OPEN, OpenItems

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
        rules: board.OfferRules | None = None,
        logins: WorkLoginStore | None = None,
        disposition_codes: tuple[str, ...] = (),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._presence, self._notifier = presence, notifier
        self.dialer = dialer
        self.rules = rules or board.OfferRules()
        self.disposition_codes = disposition_codes
        self._clock = clock
        self._open = OpenItems(clock)
        self._floor = OfferFloor(uow, clock, logins)
        self._full = False  # a full read of the open items on the next pass
        self._stale: set[int] = set()  # items to re-read by id on the next pass
        self._fresh: list[WorkEntry] = []  # filed by intake in this process, not read back
        self._lock, self._wake = asyncio.Lock(), asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.offers_made = self.full_reads = self.passes = 0
        self.on_closed: Callable[[], None] = lambda: None  # e.g. the wallboard's work figures
        self.on_wrote: Callable[[Iterable[int]], None] = lambda ids: None  # the change feed
        dialer.agents, dialer.settle = self._floor.agents, self._callback_settled

    @property
    def _items(self) -> dict[int, WorkEntry]:  # waiting now, or held
        return self._open.items

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
            await cancel_and_wait(self._task)
        await self.dialer.aclose()

    def filed(self, items: list[WorkItem]) -> None:
        """Items intake has just stored: offered on the next pass without a read of the store."""
        self._fresh += [e for e in map(board.entry_of, items) if e is not None]
        self._wake.set()

    def nudge(self, *, logins: bool = False) -> None:
        """New items were filed (intake calls this), capacity freed, or (`logins`) an agent
        logged in to or out of work groups (they are read again): run a pass now."""
        if logins:
            self._floor.logins_changed()
        self._wake.set()

    def changed(self, ids: Collection[int]) -> None:
        """Items changed elsewhere (another process, a supervisor): re-read on the next pass."""
        self._stale.update(ids)
        self._wake.set()

    def resync(self) -> None:
        """Anything may have changed unseen (the bus was away): read every open item again."""
        self._full = True
        self._wake.set()

    def on_fact(self, fact: Fact) -> None:
        """Call facts: a callback's dial ends; a phone frees up (a pass, if any item is open)."""
        self.dialer.on_fact(fact)
        if self._items or self._fresh or self._stale or self._full:
            self._wake.set()

    async def agent_work(self, *, code: str) -> list[WorkEntry]:
        """The items offered to or held by the agent."""
        return await self._store.for_agent(code)

    async def accept(self, *, code: str, item_id: int, by: Principal) -> WorkEntry:
        """The agent takes the offered item; a callback is dialled agent-first at once, in the
        background (how the dial goes reaches the desktop as work_update frames)."""
        async with self._lock:
            entry = await self._held(code, item_id, ("offered",), by)
            if entry.expires_at is not None and entry.expires_at.timestamp() <= self._clock():
                raise Conflict(f"the offer of item {item_id} to agent {code} has expired")
            if not await self._store.move(
                item_id=item_id, agent=code, from_statuses=("offered",), status="accepted"
            ):
                self.changed((item_id,))
                raise Conflict(f"item {item_id} is no longer offered to agent {code}")
            entry = self._items[item_id] = replace(entry, status="accepted", expires_at=None)
            self.on_wrote((item_id,))
        self._notifier.work_update(code, WorkUpdate(item_id, "accepted", None, entry.customer_id))
        if channel_of(entry.kind) != VOICE:
            await self._back_office_pause(code)
        elif (agent := self._floor.agents.get(code)) is not None:
            self.dialer.start(entry, agent)  # the accept answers now; the dial's frames follow
        return entry

    async def reject(self, *, code: str, item_id: int, by: Principal) -> None:
        """The agent declines: the item goes to the next agent (never back to this one)."""
        async with self._lock:
            entry = await self._held(code, item_id, ("offered",), by)
            if not await self._store.release(item_id=item_id, agent=code, declined=True):
                self.changed((item_id,))
                raise Conflict(f"item {item_id} is no longer offered to agent {code}")
            self._items[item_id] = board.released(entry, code, declined=True)
            self.on_wrote((item_id,))
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
                agent_id=a.id if (a := self._floor.agents.get(code)) is not None else None,
            ):
                self.changed((item_id,))
                raise Conflict(f"item {item_id} is not held by agent {code}")
            self._items.pop(item_id, None)
            self.dialer.forget(item_id)
            self.on_wrote((item_id,))
        self._wake.set()  # the next offer's pass runs as soon as this yields
        self._notifier.work_update(code, WorkUpdate(item_id, "done", entry.outcome))
        self.on_closed()
        await self._back_office_pause(code)
        return replace(entry, status="done", disposition=disposition)

    async def requeue(self, move: Callable[[], Awaitable[Moved]]) -> Moved:
        """Run `move` (an item sent to another group) while no pass runs, then offer the item
        anew; its last holder's back-office pause is reconsidered."""
        async with self._lock:
            entry, holder = await move()
            self._open.add(entry)
        if holder is not None:
            await self._back_office_pause(holder)
        self._wake.set()
        return entry, holder

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._open.sleep_s(self.rules.idle_s)):
                    await self._wake.wait()
            self._wake.clear()
            try:
                async with self._lock:
                    await self.run_pass()
            except Exception:  # the database away: try again on the next wake-up
                log.exception("work offers: pass failed")
                await asyncio.sleep(1.0)

    async def run_pass(self) -> None:
        """Expire offers past their deadline, take in what changed, make the policy's offers."""
        now, self.passes = self._clock(), self.passes + 1
        fresh, self._fresh = self._fresh, []
        if self._full:
            await self._resync(resend=False)
        else:
            await self._floor.refresh(self.rules.floor_s)
            if self._stale:  # kept until read: a failing read leaves them for the next pass
                stale = set(self._stale)
                self._open.apply(stale, await self._store.entries(stale))
                self._stale -= stale
        for entry in fresh:  # unless read meanwhile (and perhaps offered): that state stands
            self._items.setdefault(entry.id, entry)
        self._open.due(now)
        await self._expire(now)
        f, rules = self._floor, self.rules
        floor, items = board.pass_view(
            f.agents, f.queue_of, self._presence, self._items, rules, now, f.logins
        )
        offers = plan(items, floor, rules.capacities, now=now, default=rules.default_capacity)
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
        self.on_wrote(item_id for item_id, _ in made)
        if len(made) < len(offers):  # someone else moved some items: re-read those next pass
            self.changed({o.item_id for o in offers} - {item_id for item_id, _ in made})

    async def _expire(self, now: float) -> None:
        """Withdraw offers past their deadline (that agent passed over) or to agents who left the
        item's work group (offered to them again once back)."""
        f, at = self._floor, datetime.fromtimestamp(now, UTC)
        for entry, late in board.withdrawals(self._items.values(), f.logins, self.rules, at):
            assert entry.agent is not None
            if await self._store.release(item_id=entry.id, agent=entry.agent, declined=late):
                self._items[entry.id] = board.released(entry, entry.agent, declined=late)
                why = None if late else "work_logout"
                self._notifier.work_update(entry.agent, WorkUpdate(entry.id, "withdrawn", why))
                self.on_wrote((entry.id,))
                log.info("work item %d: offer to %s: %s", entry.id, entry.agent, why or "timed out")
            else:  # taken, closed or moved meanwhile: as stored now, from the next pass on
                self._open.drop(entry.id)
                self.changed((entry.id,))

    async def _resync(self, *, resend: bool) -> None:
        """Every open item read again (on start, and after the bus was away)."""
        self._full, known = True, set(self._stale)  # until it has succeeded
        await self._floor.read()
        entries = await self._store.open_entries()
        self._open.replace_all(entries)
        self._full = False
        self._stale -= known  # those heard of meanwhile are read again
        self.full_reads += 1
        if resend:  # a restarted process: the desktops hear again of the offers still running
            for entry in (e for e in entries if e.status == "offered" and e.agent is not None):
                self._send_offer(entry)

    async def _held(
        self, code: str, item_id: int, statuses: tuple[str, ...], by: Principal
    ) -> WorkEntry:
        board.may_act_for(by, code)
        entry = self._items.get(item_id) or await self._store.get(item_id)
        return board.holding(entry, item_id, code, statuses)

    def _send_offer(self, entry: WorkEntry) -> None:
        assert entry.agent is not None
        self._notifier.work_offer(entry.agent, board.offer_message(entry, self._clock()))

    async def _back_office_pause(self, code: str) -> None:
        """Paused in the voice queues while holding unblended back-office work, else not."""
        change = board.back_office_pause(
            self._items.values(), code, self._presence.get(code), self.rules.capacities
        )
        if change is not None:
            await self.dialer.pause(code, paused=change)

    async def _callback_settled(self, entry: WorkEntry | None, item_id: int) -> None:
        async with self._lock:
            if entry is None or entry.status not in OPEN:
                self._open.drop(item_id)
                self.on_closed()
            else:
                self._open.add(entry)
            self.on_wrote((item_id,))
        self._wake.set()
