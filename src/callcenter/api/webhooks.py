"""Webhook subscriptions and their dead letters (admin): `/api/webhooks`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from callcenter.api.deps import RuntimeDep, requires
from callcenter.api.errors import http_errors
from callcenter.api.fields import DB_ID_MAX, DbId, IdPath, OneLine
from callcenter.domain.access.auth import Principal
from callcenter.domain.webhooks import EMITTED_EVENTS, EVENT_TYPES
from callcenter.ports.webhooks import Delivery, Subscription

router = APIRouter(prefix="/api/webhooks", tags=["webhooks"])
Admin = Annotated[Principal, Depends(requires("webhooks.manage"))]
EventType = Literal[EVENT_TYPES]  # type: ignore[valid-type]


class FilterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    group: Annotated[OneLine, Field(min_length=1, max_length=40)] | None = None
    direction: Literal["inbound", "outbound"] | None = None


class SubscriptionIn(BaseModel):
    """A subscriber: the URL to POST to, the events wanted, the signing secret, a filter."""

    model_config = ConfigDict(extra="forbid")
    url: Annotated[OneLine, Field(min_length=8, max_length=2000, pattern=r"^https?://")]
    events: Annotated[list[EventType], Field(min_length=1, max_length=len(EVENT_TYPES))]
    secret: Annotated[OneLine, Field(min_length=16, max_length=200)]
    filter: FilterIn | None = None


class SubscriptionOut(BaseModel):
    """A subscription as listed (the secret is never shown again)."""

    id: int
    url: str
    events: list[str]
    filter: FilterIn
    created_at: datetime
    pending: int
    not_emitted_yet: list[str]  # reserved event types not emitted yet (none today)

    @classmethod
    def of(cls, sub: Subscription, pending: int) -> SubscriptionOut:
        return cls(
            id=sub.id,
            url=sub.url,
            events=list(sub.events),
            filter=FilterIn(group=sub.group, direction=sub.direction),
            created_at=sub.created_at,
            pending=pending,
            not_emitted_yet=[e for e in sub.events if e not in EMITTED_EVENTS],
        )


class DeadLetterOut(BaseModel):
    id: int
    subscription_id: int
    delivery_id: str
    event: str
    attempts: int
    last_error: str | None
    created_at: datetime
    dead_since: datetime | None
    body: str

    @classmethod
    def of(cls, d: Delivery) -> DeadLetterOut:
        return cls(
            id=d.id, subscription_id=d.subscription_id, delivery_id=d.delivery_id, event=d.event,
            attempts=d.attempts, last_error=d.last_error, created_at=d.created_at,
            dead_since=d.finished_at, body=d.body,
        )  # fmt: skip


class ReplayIn(BaseModel):
    """Dead letters to send again: these ids, or every dead letter of one subscription."""

    model_config = ConfigDict(extra="forbid")
    ids: Annotated[list[DbId], Field(max_length=10_000)] = []
    subscription_id: DbId | None = None


@router.post("", status_code=status.HTTP_201_CREATED, response_model=SubscriptionOut)
async def subscribe(body: SubscriptionIn, runtime: RuntimeDep, _: Admin) -> SubscriptionOut:
    """Start delivering the chosen events to `url`, signed with `secret`."""
    wanted = body.filter or FilterIn()
    with http_errors():
        sub = await runtime.webhooks.subscribe(
            url=body.url, events=list(body.events), secret=body.secret, group=wanted.group,
            direction=wanted.direction,
        )  # fmt: skip
    return SubscriptionOut.of(sub, 0)


@router.get("", response_model=list[SubscriptionOut])
async def subscriptions(runtime: RuntimeDep, _: Admin) -> list[SubscriptionOut]:
    """Every subscription with the deliveries still waiting for it."""
    pending = await runtime.webhooks.outbox.pending_counts()
    subs = await runtime.webhooks.subscriptions()
    return [SubscriptionOut.of(s, pending.get(s.id, 0)) for s in subs]


@router.delete("/{subscription_id}", status_code=status.HTTP_204_NO_CONTENT)
async def unsubscribe(subscription_id: IdPath, runtime: RuntimeDep, _: Admin) -> Response:
    """Stop delivering; what was still queued for this subscriber is dropped with it."""
    with http_errors():
        await runtime.webhooks.unsubscribe(subscription_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/dead-letters", response_model=list[DeadLetterOut])
async def dead_letters(
    runtime: RuntimeDep,
    _: Admin,
    subscription_id: Annotated[int | None, Query(ge=1, le=DB_ID_MAX)] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> list[DeadLetterOut]:
    """Deliveries given up after every retry, oldest first."""
    found = await runtime.webhooks.dead_letters(subscription_id, limit)
    return [DeadLetterOut.of(d) for d in found]


@router.post("/dead-letters/replay")
async def replay(body: ReplayIn, runtime: RuntimeDep, _: Admin) -> dict[str, int]:
    """Put dead letters back at the end of their subscription's line, in their old order."""
    ids = list(body.ids)
    if body.subscription_id is not None:
        dead = await runtime.webhooks.dead_letters(body.subscription_id, 100_000)
        ids.extend(d.id for d in dead)
    return {"replayed": await runtime.webhooks.replay(sorted(set(ids)))}
