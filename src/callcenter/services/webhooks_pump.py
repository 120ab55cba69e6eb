"""The delivery side of webhooks: buffered events into the outbox, one worker per subscription.

`WebhookPump` runs on the loop it is started on (tests, commands). The server runs it in a
process of its own (webhooks_wiring.PumpProcess, the same `Pump` shape seen from the server's
side), so that no outbox write, HTTP post or signature sits between a ring and its screen pop.

Only a leading process delivers (`lead` / `follow`); every process flushes what it buffered.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections import deque
from collections.abc import Callable
from typing import Protocol

from callcenter.background import cancel_and_wait
from callcenter.domain.webhooks import Event, wants
from callcenter.ports.webhooks import NewDelivery, Subscription, WebhookOutbox, WebhookSender
from callcenter.services.webhooks_delivery import DeliveryStats, RetryPolicy, SubscriptionWorker

log = logging.getLogger(__name__)


class Pump(Protocol):
    """What the webhook service drives: the event buffer, the flusher and the workers."""

    buffer: deque[Event]  # the fact side appends; the pump takes them away
    subs: dict[int, Subscription]  # known subscriptions (no events are buffered without one)
    stats: DeliveryStats
    enqueued: int
    delivering: bool

    async def start(self) -> None: ...

    async def lead(self) -> None: ...

    async def follow(self) -> None: ...

    async def flush(self) -> int: ...

    async def added(self, sub: Subscription) -> None: ...

    async def remove(self, subscription_id: int) -> None: ...

    async def replayed(self, subscription_ids: list[int]) -> None: ...

    async def aclose(self) -> None: ...


class WebhookPump:
    """The flusher and the subscription workers (on the delivery loop)."""

    def __init__(
        self,
        *,
        outbox: WebhookOutbox,
        sender: WebhookSender,
        policy: RetryPolicy,
        flush_interval_s: float,
        refresh_s: float,
        on_delivered: Callable[[float], None] | None,
    ) -> None:
        self.outbox = outbox
        self.sender = sender
        self._policy = policy
        self.flush_interval_s = flush_interval_s
        self._refresh_s = refresh_s
        self._on_delivered = on_delivered
        self.buffer: deque[Event] = deque()
        self.stats = DeliveryStats()
        self.enqueued = 0
        self.delivering = False
        self.subs: dict[int, Subscription] = {}
        self.workers: dict[int, SubscriptionWorker] = {}
        self._flusher: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Load the subscriptions and start the flusher."""
        try:
            for sub in await self.outbox.subscriptions():
                self.add(sub)
        except Exception as exc:  # database away: the flusher's refresh loads them later
            log.warning("webhook subscriptions not loaded yet: %r", exc)
        self._flusher = asyncio.get_running_loop().create_task(self._flush_loop(), name="webhooks")

    async def lead(self) -> None:
        """Deliver from now on: one worker per subscription."""
        if self.delivering:
            return
        self.delivering = True
        try:
            self.stats.pending.update(await self.outbox.pending_counts())
        except Exception as exc:  # an estimate only: the workers read the outbox itself
            log.warning("webhook pending counts not loaded: %r", exc)
        for sub in list(self.subs.values()):
            self.add(sub)

    async def follow(self) -> None:
        """Stop every worker (what was sent and not yet marked delivered goes out again from
        the next leader, with the same delivery id)."""
        self.delivering = False
        for worker in list(self.workers.values()):
            await worker.aclose()
        self.workers.clear()
        self.stats.pending.clear()

    async def aclose(self) -> None:
        """Stop the flusher, flush what is buffered (best effort), stop the workers."""
        if self._flusher is not None:
            await cancel_and_wait(self._flusher)
            self._flusher = None
        try:
            await self.flush()
        except Exception as exc:
            log.error("webhook events lost at shutdown (%d): %r", len(self.buffer), exc)
        await self.follow()
        await self.sender.aclose()

    async def _flush_loop(self) -> None:
        refreshed = time.monotonic()
        while True:
            await asyncio.sleep(self.flush_interval_s)
            try:
                if time.monotonic() - refreshed > self._refresh_s:
                    refreshed = time.monotonic()
                    await self.refresh()
                await self.flush()
            except Exception as exc:  # database away: the events stay buffered, tried again
                log.warning("webhook outbox write failed (%d buffered): %r", len(self.buffer), exc)

    async def flush(self) -> int:
        """Move every buffered event into the outbox; how many deliveries were written."""
        if not self.buffer:
            return 0
        events = list(self.buffer)
        subs = list(self.subs.values())
        rows: list[NewDelivery] = []
        for event in events:
            body = json.dumps(event.envelope(uuid.uuid4().hex), separators=(",", ":"))
            for sub in subs:
                if wants(sub.events, sub.group, sub.direction, event):
                    rows.append(NewDelivery(sub.id, str(uuid.uuid4()), event.type, body))
        await self.outbox.enqueue(rows)
        for _ in events:  # only now: a failed write keeps them for the next flush
            self.buffer.popleft()
        self.enqueued += len(rows)
        for row in rows if self.delivering else ():  # the delivering process counts them
            pending = self.stats.pending
            pending[row.subscription_id] = pending.get(row.subscription_id, 0) + 1
        for sub_id in {r.subscription_id for r in rows}:
            if sub_id in self.workers:
                self.workers[sub_id].wake()
        return len(rows)

    async def refresh(self) -> None:
        """Follow subscriptions added or removed by another process sharing the database."""
        current = {sub.id: sub for sub in await self.outbox.subscriptions()}
        for sub_id in [s for s in self.subs if s not in current]:
            await self.remove(sub_id)
        for sub_id, sub in current.items():
            if sub_id not in self.subs:
                self.add(sub)

    async def added(self, sub: Subscription) -> None:
        self.add(sub)

    def add(self, sub: Subscription) -> None:
        """Know a subscription; deliver to it when leading."""
        self.subs[sub.id] = sub
        if not self.delivering or sub.id in self.workers:
            return
        worker = SubscriptionWorker(
            sub,
            outbox=self.outbox,
            sender=self.sender,
            policy=self._policy,
            stats=self.stats,
            on_delivered=self._on_delivered,
            clock=time.time,
        )
        self.workers[sub.id] = worker
        worker.start()

    async def remove(self, subscription_id: int) -> None:
        self.subs.pop(subscription_id, None)
        worker = self.workers.pop(subscription_id, None)
        if worker is not None:
            await worker.aclose()
        self.stats.pending.pop(subscription_id, None)

    async def replayed(self, subscription_ids: list[int]) -> None:
        """Dead deliveries of these subscriptions are pending again."""
        for sub_id in subscription_ids:
            if sub_id in self.workers:
                pending = self.stats.pending
                pending[sub_id] = pending.get(sub_id, 0) + 1
                self.workers[sub_id].wake()
