"""A campaign's list records and what an attempt or a disposition does to them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from callcenter.domain.campaigns.campaign import (
    CALLBACK_DISPOSITION,
    CLOSING_DISPOSITIONS,
    RETRY_OUTCOMES,
    RetryPolicy,
)

RecordStatus = Literal["queued", "dialing", "done"]
RECORD_STATUSES: tuple[str, ...] = ("queued", "dialing", "done")
# What a finished attempt was, as the dialer tells it (customer-first outcomes plus ours).
ATTEMPT_OUTCOMES: tuple[str, ...] = (
    "connected",  # a live answer that reached an agent
    "dropped",  # a live answer no agent took within the connect time (an abandon)
    "busy",
    "no_answer",
    "machine",
    "congestion",
    "failed",
)


@dataclass(frozen=True)
class ListRecord:
    """One number to call for one campaign; `next_at` is when it may be dialled (epoch s)."""

    id: int
    campaign_id: int
    number: str  # E.164
    customer_id: int | None = None
    name: str | None = None
    status: RecordStatus = "queued"
    attempts: int = 0
    next_at: float = 0.0
    last_outcome: str | None = None
    closed_reason: str | None = None


def after_attempt(record: ListRecord, outcome: str, retry: RetryPolicy, at: float) -> ListRecord:
    """The record after an attempt ended with `outcome`; a connected one awaits its disposition."""
    if outcome not in ATTEMPT_OUTCOMES:
        raise ValueError(f"unknown attempt outcome {outcome!r}")
    attempts = record.attempts  # counted when the dial was placed
    if outcome == "connected":
        return replace(record, status="dialing", last_outcome=outcome)
    if outcome == "failed":  # the number does not work: no point in retrying
        return replace(record, status="done", last_outcome=outcome, closed_reason="failed")
    if attempts >= retry.max_attempts:
        return replace(record, status="done", last_outcome=outcome, closed_reason="max_attempts")
    assert outcome in RETRY_OUTCOMES
    return replace(
        record, status="queued", last_outcome=outcome, next_at=at + retry.delay_for(outcome)
    )


def after_disposition(
    record: ListRecord, code: str, at: float, callback_at: float | None = None
) -> ListRecord:
    """The record once the agent closed the call: a closing code ends it, a callback requeues it."""
    if code in CLOSING_DISPOSITIONS:
        return replace(record, status="done", closed_reason=code)
    if code == CALLBACK_DISPOSITION:
        when = callback_at if callback_at is not None and callback_at > at else at + 3600.0
        return replace(record, status="queued", next_at=when)
    raise ValueError(f"unknown disposition {code!r}")


def start_attempt(record: ListRecord) -> ListRecord:
    """The record as it is dialled: one more attempt, no other dial of it until this one ends."""
    return replace(record, status="dialing", attempts=record.attempts + 1)
