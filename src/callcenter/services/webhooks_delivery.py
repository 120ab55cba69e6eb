"""One subscription's delivery loop: strictly in order, retried with backoff, then dead-lettered.

Ordering guarantee: a subscription's deliveries are sent one at a time in the order their events
were enqueued; the next is not sent before the previous one succeeded (2xx) or was dead-lettered
after `max_attempts`. Delivery is at least once: successes are marked in the outbox per batch (up to
`BATCH`), so a crash before that write sends them again (same `X-Callcenter-Delivery` id, for
dedupe).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from callcenter.background import cancel_and_wait
from callcenter.domain.webhooks import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, sign
from callcenter.ports.webhooks import Delivery, Subscription, WebhookOutbox, WebhookSender

log = logging.getLogger(__name__)

BATCH = 50  # deliveries read (and marked delivered) per database round trip


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff: base * factor**(attempt-1), capped; dead after `max_attempts`."""

    base_s: float = 1.0
    factor: float = 2.0
    cap_s: float = 600.0
    max_attempts: int = 10
    idle_poll_s: float = 5.0  # a safety net; new deliveries wake the loop at once

    def delay(self, attempts: int) -> float:
        return float(min(self.cap_s, self.base_s * self.factor ** max(0, attempts - 1)))


@dataclass
class DeliveryStats:
    """Counters the metrics read at scrape time."""

    delivered: int = 0
    failed: int = 0  # failed attempts (each retried or dead-lettered)
    dead: int = 0
    pending: dict[int, int] = field(default_factory=dict)  # per subscription, outbox estimate


class SubscriptionWorker:
    """The single sender of one subscription (one per process; see the service for scale-out)."""

    def __init__(
        self,
        subscription: Subscription,
        *,
        outbox: WebhookOutbox,
        sender: WebhookSender,
        policy: RetryPolicy,
        stats: DeliveryStats,
        on_delivered: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.subscription = subscription
        self._outbox = outbox
        self._sender = sender
        self._policy = policy
        self._stats = stats
        self._on_delivered = on_delivered
        self._clock = clock
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        name = f"webhook-{self.subscription.id}"
        self._task = asyncio.get_running_loop().create_task(self._run(), name=name)

    def wake(self) -> None:
        """New deliveries were enqueued (or replayed) for this subscription."""
        self._wake.set()

    async def aclose(self) -> None:
        if self._task is not None:
            await cancel_and_wait(self._task)
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                batch = await self._outbox.pending(self.subscription.id, BATCH)
            except Exception as exc:  # database away: try again shortly, nothing is lost
                log.warning("webhook outbox unreadable: %r", exc)
                await self._sleep(self._policy.idle_poll_s)
                continue
            if not batch:
                await self._sleep(self._policy.idle_poll_s)
                continue
            wait = batch[0].next_attempt_at.timestamp() - self._clock()
            if wait > 0:
                await asyncio.sleep(wait)  # the head of the line waits; no one overtakes it
            try:
                await self._send_in_order(batch)
            except Exception as exc:  # the outbox write failed: those are sent again later
                log.warning("webhook outbox update failed: %r", exc)
                await self._sleep(self._policy.idle_poll_s)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wake.wait()
        self._wake.clear()

    async def _send_in_order(self, batch: list[Delivery]) -> None:
        """Send until one fails; the successes are marked delivered in one write."""
        delivered: list[Delivery] = []
        try:
            for delivery in batch:
                if not await self._attempt(delivery):
                    return
                delivered.append(delivery)
        finally:
            if delivered:
                await self._outbox.mark_delivered([d.id for d in delivered], datetime.now(UTC))
                for delivery in delivered:
                    self._stats.delivered += 1
                    self._done()
                    if self._on_delivered is not None:
                        self._on_delivered(self._clock() - _event_at(delivery))

    async def _attempt(self, delivery: Delivery) -> bool:
        """One POST; on failure the retry (or the dead letter) is written. True if delivered."""
        sent_at = int(self._clock())
        body = delivery.body.encode()
        headers = {
            "content-type": "application/json",
            SIGNATURE_HEADER: sign(self.subscription.secret, sent_at, body),
            EVENT_HEADER: delivery.event,
            DELIVERY_HEADER: delivery.delivery_id,
        }
        result = await self._sender.send(self.subscription.url, body, headers)
        if result.ok:
            return True
        now = datetime.now(UTC)
        self._stats.failed += 1
        attempts = delivery.attempts + 1
        error = result.error or f"HTTP {result.status}"
        if attempts >= self._policy.max_attempts:
            await self._outbox.mark_failed(delivery.id, error=error, retry_at=None, at=now)
            self._stats.dead += 1
            self._done()
            log.warning(
                "webhook %s dead-lettered after %d attempts: %s",
                delivery.delivery_id,
                attempts,
                error,
            )
        else:
            retry_at = now + timedelta(seconds=self._policy.delay(attempts))
            await self._outbox.mark_failed(delivery.id, error=error, retry_at=retry_at, at=now)
        return False

    def _done(self) -> None:
        pending = self._stats.pending
        sub = self.subscription.id
        pending[sub] = max(0, pending.get(sub, 0) - 1)


def _event_at(delivery: Delivery) -> float:
    """When the event happened (the body's `at`), else when it was enqueued."""
    try:
        return datetime.fromisoformat(json.loads(delivery.body)["at"]).timestamp()
    except (ValueError, KeyError, TypeError):
        return delivery.created_at.timestamp()
