"""Webhooks: facts become events in a bounded buffer; a background task writes them to the outbox.

The fact handler (`on_fact`) and `publish` never wait on IO: they append to an in-memory buffer of
`buffer_size` events (when it is full, events are dropped, counted and logged — never the call).
A flusher task moves the buffer into the persisted outbox every `flush_interval_s`, one row per
wanted subscription; one `SubscriptionWorker` per subscription sends them in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from callcenter.domain.calls.facts import Fact
from callcenter.domain.complaints.records import Complaint
from callcenter.domain.webhooks import (
    DIRECTIONS,
    EVENT_TYPES,
    Event,
    complaint_event,
    disposition_event,
    event_for_fact,
    wants,
)
from callcenter.ports.webhooks import (
    Delivery,
    NewDelivery,
    Subscription,
    WebhookOutbox,
    WebhookSender,
)
from callcenter.services.dispositions import Disposition
from callcenter.services.errors import InvalidField, NotFound
from callcenter.services.webhooks_delivery import DeliveryStats, RetryPolicy, SubscriptionWorker

log = logging.getLogger(__name__)

ENDED_KEPT = 10_000  # ended calls remembered for their dispositions' group/direction filter


class WebhookService:
    """Subscriptions, the event buffer, the flusher and one delivery worker per subscription."""

    def __init__(
        self,
        *,
        outbox: WebhookOutbox,
        sender: WebhookSender,
        policy: RetryPolicy | None = None,
        buffer_size: int = 10_000,
        flush_interval_s: float = 0.2,
        on_delivered: Callable[[float], None] | None = None,
        deliver: bool = True,
        refresh_s: float = 10.0,
    ) -> None:
        self.outbox = outbox
        self._sender = sender
        self._policy = policy or RetryPolicy()
        self._buffer: deque[Event] = deque()
        self.buffer_size = buffer_size
        self._flush_interval_s = flush_interval_s
        self._on_delivered = on_delivered
        self.deliver = deliver  # False: only enqueue (another process of the center delivers)
        self._refresh_s = refresh_s
        self.stats = DeliveryStats()
        self.dropped = 0
        self.enqueued = 0
        self.group_of: dict[str, str] = {}  # queue -> group slug, for filters and bodies
        self._subs: dict[int, Subscription] = {}
        self._workers: dict[int, SubscriptionWorker] = {}
        self._flusher: asyncio.Task[None] | None = None
        self._ended: dict[tuple[str, str], tuple[str | None, str | None]] = {}

    # -- the fact side: no IO, O(1) ------------------------------------------------------------

    def on_fact(self, fact: Fact) -> None:
        """Fact handler: the call events subscribers may want, buffered."""
        event = event_for_fact(fact, self.group_of)
        if event is None:
            return
        if event.type == "call.ended":  # what a later disposition's filter looks at
            self._ended[(fact.pbx, event.data["linkedid"])] = (event.group, event.direction)
            if len(self._ended) > ENDED_KEPT:
                del self._ended[next(iter(self._ended))]
        self.publish(event)

    def on_disposition(self, *, pbx: str, item: Disposition) -> None:
        """A disposition was stored for a call: `call.disposition`."""
        self.publish(
            disposition_event(
                pbx=pbx, linkedid=item.linkedid, code=item.code, settled=item.settled,
                agent=item.agent_code, at=time.time(),
                call=self._ended.get((pbx, item.linkedid), (None, None)),
            )
        )  # fmt: skip

    def on_complaint(self, complaint: Complaint, change: str) -> None:
        """A complaint was opened, moved or escalated: `complaint.changed`."""
        self.publish(complaint_event(complaint, change, time.time()))

    def publish(self, event: Event) -> None:
        """Buffer one event (dropped and counted when the buffer is full)."""
        if not self._subs:
            return
        if len(self._buffer) >= self.buffer_size:
            self.dropped += 1
            if self.dropped == 1 or self.dropped % 1000 == 0:
                log.error("webhook buffer full: %d events dropped so far", self.dropped)
            return
        self._buffer.append(event)

    @property
    def depth(self) -> int:
        """Events buffered plus deliveries waiting in the outbox."""
        return len(self._buffer) + sum(self.stats.pending.values())

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        """Load subscriptions and what is pending, start the workers and the flusher."""
        try:
            for sub in await self.outbox.subscriptions():
                self._add_worker(sub)
            self.stats.pending.update(await self.outbox.pending_counts())
        except Exception as exc:  # database away: the flusher's refresh loads them later
            log.warning("webhook subscriptions not loaded yet: %r", exc)
        self._flusher = asyncio.get_running_loop().create_task(self._flush_loop(), name="webhooks")

    async def aclose(self) -> None:
        """Flush what is buffered (best effort), then stop every task and the HTTP client."""
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
            self._flusher = None
        try:
            await self.flush()
        except Exception as exc:
            log.error("webhook events lost at shutdown (%d): %r", len(self._buffer), exc)
        for worker in list(self._workers.values()):
            await worker.aclose()
        self._workers.clear()
        await self._sender.aclose()

    async def _flush_loop(self) -> None:
        refreshed = time.monotonic()
        while True:
            await asyncio.sleep(self._flush_interval_s)
            try:
                if time.monotonic() - refreshed > self._refresh_s:
                    refreshed = time.monotonic()
                    await self.refresh()
                await self.flush()
            except Exception as exc:  # database away: the events stay buffered, tried again
                log.warning("webhook outbox write failed (%d buffered): %r", len(self._buffer), exc)

    async def flush(self) -> int:
        """Move every buffered event into the outbox; how many deliveries were written."""
        if not self._buffer:
            return 0
        events = list(self._buffer)
        rows: list[NewDelivery] = []
        for event in events:
            body = json.dumps(event.envelope(uuid.uuid4().hex), separators=(",", ":"))
            for sub in self._subs.values():
                if wants(sub.events, sub.group, sub.direction, event):
                    rows.append(NewDelivery(sub.id, str(uuid.uuid4()), event.type, body))
        await self.outbox.enqueue(rows)
        for _ in events:  # only now: a failed write keeps them for the next flush
            self._buffer.popleft()
        self.enqueued += len(rows)
        for row in rows if self.deliver else ():  # the delivering process counts them
            pending = self.stats.pending
            pending[row.subscription_id] = pending.get(row.subscription_id, 0) + 1
        for sub_id in {r.subscription_id for r in rows}:
            if sub_id in self._workers:
                self._workers[sub_id].wake()
        return len(rows)

    async def refresh(self) -> None:
        """Follow subscriptions added or removed by another process sharing the database."""
        current = {sub.id: sub for sub in await self.outbox.subscriptions()}
        for sub_id in [s for s in self._subs if s not in current]:
            self._subs.pop(sub_id, None)
            worker = self._workers.pop(sub_id, None)
            if worker is not None:
                await worker.aclose()
        for sub_id, sub in current.items():
            if sub_id not in self._subs:
                self._add_worker(sub)

    # -- administration -------------------------------------------------------------------------

    async def subscribe(
        self,
        *,
        url: str,
        events: Sequence[str],
        secret: str,
        group: str | None = None,
        direction: str | None = None,
    ) -> Subscription:
        """Add a subscription (checked) and start delivering to it."""
        problems: list[tuple[tuple[str | int, ...], str]] = []
        if not url.startswith(("http://", "https://")):
            problems.append((("url",), "must be an http:// or https:// URL"))
        unknown = [e for e in events if e not in EVENT_TYPES]
        if not events or unknown:
            problems.append((("events",), f"unknown or no event types; known: {EVENT_TYPES}"))
        if len(secret) < 16:
            problems.append((("secret",), "at least 16 characters"))
        if direction is not None and direction not in DIRECTIONS:
            problems.append((("filter", "direction"), f"one of {DIRECTIONS}"))
        if problems:
            raise InvalidField(*problems[0])
        sub = await self.outbox.add_subscription(
            url=url, events=list(dict.fromkeys(events)), secret=secret, group=group,
            direction=direction,
        )  # fmt: skip
        self._add_worker(sub)
        return sub

    async def subscriptions(self) -> list[Subscription]:
        return await self.outbox.subscriptions()

    async def unsubscribe(self, subscription_id: int) -> None:
        """Remove a subscription and everything still queued for it."""
        worker = self._workers.pop(subscription_id, None)
        self._subs.pop(subscription_id, None)
        if worker is not None:
            await worker.aclose()
        self.stats.pending.pop(subscription_id, None)
        if not await self.outbox.remove_subscription(subscription_id):
            raise NotFound(f"no webhook subscription {subscription_id}")

    async def dead_letters(self, subscription_id: int | None, limit: int = 500) -> list[Delivery]:
        return await self.outbox.dead_letters(subscription_id, limit)

    async def replay(self, delivery_ids: Sequence[int]) -> int:
        """Dead deliveries back into their subscription's line (at its end, in id order)."""
        dead = {d.id: d for d in await self.outbox.dead_letters(None, 100_000)}
        count = await self.outbox.replay(delivery_ids, datetime.now(UTC))
        for delivery_id in delivery_ids:
            found = dead.get(delivery_id)
            if found is not None and found.subscription_id in self._workers:
                pending = self.stats.pending
                pending[found.subscription_id] = pending.get(found.subscription_id, 0) + 1
                self._workers[found.subscription_id].wake()
        return count

    def _add_worker(self, sub: Subscription) -> None:
        self._subs[sub.id] = sub
        if not self.deliver:
            return
        worker = SubscriptionWorker(
            sub,
            outbox=self.outbox,
            sender=self._sender,
            policy=self._policy,
            stats=self.stats,
            on_delivered=self._on_delivered,
            clock=time.time,
        )
        self._workers[sub.id] = worker
        worker.start()
