"""Webhooks: the outbox of subscriptions and deliveries, and the HTTP sender. No SQL, no HTTP."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from callcenter.domain.webhooks import Event

# Where services hand an event to subscribers (the webhook service's `publish`): never waits.
EventSink = Callable[[Event], None]


@dataclass(frozen=True, slots=True)
class Subscription:
    """A subscriber: URL, wanted event types, signing secret, optional group/direction filter."""

    id: int
    url: str
    events: tuple[str, ...]
    secret: str
    group: str | None
    direction: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NewDelivery:
    """One event for one subscription, as the service puts it into the outbox."""

    subscription_id: int
    delivery_id: str
    event: str
    body: str


@dataclass(frozen=True, slots=True)
class Delivery:
    """A delivery in the outbox: pending (maybe retried), delivered or dead (given up)."""

    id: int
    subscription_id: int
    delivery_id: str
    event: str
    body: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    finished_at: datetime | None


class WebhookOutbox(Protocol):
    """Subscriptions and the persisted outbox; each call is its own transaction."""

    async def add_subscription(
        self,
        *,
        url: str,
        events: Sequence[str],
        secret: str,
        group: str | None,
        direction: str | None,
    ) -> Subscription: ...

    async def subscriptions(self) -> list[Subscription]: ...

    async def remove_subscription(self, subscription_id: int) -> bool:
        """False if there was none with this id (its deliveries go with it)."""
        ...

    async def enqueue(self, deliveries: Sequence[NewDelivery]) -> None: ...

    async def pending(self, subscription_id: int, limit: int) -> list[Delivery]:
        """The oldest pending deliveries of a subscription, in the order they must go out."""
        ...

    async def pending_counts(self) -> dict[int, int]:
        """Pending deliveries per subscription id."""
        ...

    async def mark_delivered(self, deliveries: Sequence[int], at: datetime) -> None: ...

    async def mark_failed(
        self, delivery: int, *, error: str, retry_at: datetime | None, at: datetime
    ) -> None:
        """One more failed attempt; `retry_at` None means dead-lettered."""
        ...

    async def dead_letters(self, subscription_id: int | None, limit: int) -> list[Delivery]: ...

    async def replay(self, delivery_ids: Sequence[int], at: datetime) -> int:
        """Dead deliveries back to pending (attempts reset); how many were dead."""
        ...


@dataclass(frozen=True, slots=True)
class SendResult:
    """What a subscriber answered: an HTTP status, or an error (timeout, refused) without one."""

    status: int | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class WebhookSender(Protocol):
    """POSTs one delivery to a subscriber; never raises for the subscriber's faults."""

    async def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> SendResult: ...

    async def aclose(self) -> None: ...
