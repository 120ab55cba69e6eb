"""Webhooks: facts become events in a bounded buffer; a background task writes them to the outbox.

The fact handler (`on_fact`) and `publish` never wait on IO: they append to an in-memory buffer of
`buffer_size` events (when it is full, events are dropped, counted and logged — never the call).
A flusher task moves the buffer into the persisted outbox every `flush_interval_s`, one row per
wanted subscription; one `SubscriptionWorker` per subscription sends them in order. Both run in
the `pump` (services/webhooks_pump.py): on this loop by default, in the server in a process of
its own, away from the screen pops.

Only a leading process delivers (`lead()` / `follow()`: `start()` leads when `deliver`, unless
told to wait for a leader lock, which then drives `leading()`); every process enqueues.
"""

from __future__ import annotations

import logging
import time
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
)
from callcenter.ports.webhooks import (
    Delivery,
    Subscription,
    WebhookOutbox,
    WebhookSender,
)
from callcenter.services.dispositions import Disposition
from callcenter.services.errors import InvalidField, NotFound
from callcenter.services.webhooks_delivery import DeliveryStats, RetryPolicy
from callcenter.services.webhooks_pump import Pump, WebhookPump

log = logging.getLogger(__name__)

ENDED_KEPT = 10_000  # ended calls remembered for their dispositions' group/direction filter


class WebhookService:
    """Subscriptions, the event buffer, the flusher and one delivery worker per subscription."""

    def __init__(
        self,
        *,
        outbox: WebhookOutbox,
        sender: WebhookSender | None = None,
        policy: RetryPolicy | None = None,
        buffer_size: int = 10_000,
        flush_interval_s: float = 0.2,
        on_delivered: Callable[[float], None] | None = None,
        deliver: bool = True,
        refresh_s: float = 10.0,
        pump: Pump | None = None,
    ) -> None:
        """`pump`: where the outbox writes and deliveries run (default: a `WebhookPump` on this
        loop over `outbox` and `sender`)."""
        self.outbox = outbox  # administration
        if pump is None and sender is None:
            raise ValueError("a webhook service needs a sender or a pump")
        self.pump: Pump = pump or WebhookPump(
            outbox=outbox,
            sender=sender,  # type: ignore[arg-type]
            policy=policy or RetryPolicy(),
            flush_interval_s=flush_interval_s,
            refresh_s=refresh_s,
            on_delivered=on_delivered,
        )
        self.buffer_size = buffer_size
        self.deliver = deliver  # False: never deliver here (only enqueue)
        self.dropped = 0
        self.group_of: dict[str, str] = {}  # queue -> group slug, for filters and bodies
        self._ended: dict[tuple[str, str], tuple[str | None, str | None]] = {}

    @property
    def stats(self) -> DeliveryStats:
        return self.pump.stats

    @property
    def enqueued(self) -> int:
        return self.pump.enqueued

    @property
    def delivering(self) -> bool:
        """Whether this process delivers now."""
        return self.pump.delivering

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
        if not self.pump.subs:
            return
        buffer = self.pump.buffer
        if len(buffer) >= self.buffer_size:
            self.dropped += 1
            if self.dropped == 1 or self.dropped % 1000 == 0:
                log.error("webhook buffer full: %d events dropped so far", self.dropped)
            return
        buffer.append(event)

    @property
    def depth(self) -> int:
        """Events buffered plus deliveries waiting in the outbox."""
        return len(self.pump.buffer) + sum(self.stats.pending.values())

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self, *, lead: bool = True) -> None:
        """Start the flusher; deliver at once when `deliver` and `lead`, else only once a
        leader lock starts `leading()`."""
        await self.pump.start()
        if lead:
            await self.lead()

    async def lead(self) -> None:
        """This process delivers from now on (if it may: `deliver`)."""
        if self.deliver:
            await self.pump.lead()

    async def follow(self) -> None:
        """Another process delivers from now on."""
        await self.pump.follow()

    def leading(self) -> Leading:
        """What a leader lock starts and stops (`start` = lead, `stop` = follow)."""
        return Leading(self)

    async def flush(self) -> int:
        """Write what is buffered to the outbox now; how many deliveries were written."""
        return await self.pump.flush()

    async def aclose(self) -> None:
        """Flush what is buffered (best effort), then stop every task and the HTTP client."""
        await self.pump.aclose()

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
        await self.pump.added(sub)  # before any event: `publish` sees it
        return sub

    async def subscriptions(self) -> list[Subscription]:
        return await self.outbox.subscriptions()

    async def unsubscribe(self, subscription_id: int) -> None:
        """Remove a subscription and everything still queued for it."""
        await self.pump.remove(subscription_id)
        if not await self.outbox.remove_subscription(subscription_id):
            raise NotFound(f"no webhook subscription {subscription_id}")

    async def dead_letters(self, subscription_id: int | None, limit: int = 500) -> list[Delivery]:
        return await self.outbox.dead_letters(subscription_id, limit)

    async def replay(self, delivery_ids: Sequence[int]) -> int:
        """Dead deliveries back into their subscription's line (at its end, in id order)."""
        dead = {d.id: d for d in await self.outbox.dead_letters(None, 100_000)}
        count = await self.outbox.replay(delivery_ids, datetime.now(UTC))
        found = [dead[i].subscription_id for i in delivery_ids if i in dead]
        await self.pump.replayed(found)
        return count


class Leading:
    """The webhook service as a leader lock's `Startable`: it delivers while the lock is held."""

    def __init__(self, service: WebhookService) -> None:
        self._service = service

    async def start(self) -> None:
        await self._service.lead()

    async def stop(self) -> None:
        await self._service.follow()
