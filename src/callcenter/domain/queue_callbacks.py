"""Callbacks owed to callers who left a queue unanswered (pure).

Three rules, all judged once on the finished call:

* keep my place: a caller withdrawn from the queue for a callback (QueueWithdrawCaller, or the
  caller pressing 1 while waiting; the call's outcome `callback_requested`, or `answered` when an
  agent had the call before a transfer put it back in a queue) is owed a callback, placed as of
  the moment they first entered a queue, with the priority the queue gave them, in the group of
  the queue they left;
* a promise kept: a caller the queue gave up on (outcome `timeout`) who was then told "we will
  call you back" (the dialplan's CC_CALLBACK=promised) is owed one the same way; a timeout the
  dialplan answered otherwise (another queue, a campaign's abandon message) is owed nothing;
* abandoned known caller (optional): a caller matched to a customer who hung up after waiting
  longer than a threshold. Short abandons (a wrong number, a change of mind), withheld numbers and
  numbers no customer owns get nothing.

A call owes at most one callback: its reference (PBX and linkedid) is the item's unique key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from callcenter.domain.calls.livecall import CALLBACK_VAR, PROMISED, REQUESTED
from callcenter.domain.calls.records import CallRecord

WITHDRAWN = "withdrawn"
TIMED_OUT = "timed_out"
ABANDONED = "abandoned"


@dataclass(frozen=True, slots=True)
class AbandonRule:
    """Whether abandoned known callers get a callback, and the wait below which they do not."""

    enabled: bool = False
    min_wait_s: float = 30.0

    def __post_init__(self) -> None:
        if self.min_wait_s < 0:
            raise ValueError("the abandon threshold must not be negative")


@dataclass(frozen=True, slots=True)
class OwedCallback:
    """A callback a finished call is owed, with the place it keeps."""

    why: str  # withdrawn | timed_out | abandoned
    call_ref: str  # "<pbx>:<linkedid>": at most one item per call
    caller: str | None  # E.164; None only for a withheld number (withdrawn or promised)
    customer_id: int | None
    queue: str  # the queue the caller left
    placed_at: datetime  # when the caller first entered a queue: the item's place
    priority: int
    waited_s: float

    @property
    def triage(self) -> str | None:
        """Why a person must look first: a caller owed a callback with no number to call."""
        return None if self.caller else "withheld number: nobody to call back"


def callback_promised(routing: Mapping[str, Any] | None) -> bool:
    """Whether the dialplan told the caller "we will call you back" (CC_CALLBACK=promised)."""
    return str((routing or {}).get(CALLBACK_VAR, "")) == PROMISED


def callback_asked(routing: Mapping[str, Any] | None) -> bool:
    """Whether the caller pressed 1 in a queue for a callback (CC_CALLBACK=requested)."""
    return str((routing or {}).get(CALLBACK_VAR, "")) == REQUESTED


def may_owe(record: CallRecord, rule: AbandonRule) -> bool:
    """Whether this finished call can owe a callback at all (no customer lookup, no database):
    what `owed_callback` then decides for."""
    if record.direction != "inbound" or not record.queues:
        return False
    if record.outcome == "callback_requested":
        return True
    if record.outcome == "timeout":
        return callback_promised(record.routing)
    if record.outcome == "answered":  # back in a queue after a transfer, then pressed 1
        return callback_asked(record.routing)
    return record.outcome == "abandoned" and rule.enabled


def call_ref(pbx: str, linkedid: str) -> str:
    """The unique reference of a call among every PBX's calls."""
    return f"{pbx}:{linkedid}"


def queue_priority(routing: Mapping[str, Any] | None) -> int:
    """The priority the routing hook gave the call in the queue (CC_PRIORITY), else 0."""
    raw = str((routing or {}).get("CC_PRIORITY", "")).strip()
    try:
        return int(raw)
    except ValueError:
        return 0


def owed_callback(
    record: CallRecord, rule: AbandonRule, queued_at: float | None = None
) -> OwedCallback | None:
    """The callback this finished call is owed, or None.

    `queued_at` is when the caller entered its first queue (epoch seconds); without it the place
    is worked out from the call's end and its time in queues.
    """
    if record.direction != "inbound" or not record.queues:
        return None
    if record.outcome == "callback_requested" or (
        record.outcome == "answered" and callback_asked(record.routing)
    ):  # withdrawn or pressed 1; answered: an agent had the call before it was put back
        why = WITHDRAWN
    elif record.outcome == "timeout":
        if not callback_promised(record.routing):
            return None  # the dialplan promised nothing (or predates the promise's marker)
        why = TIMED_OUT
    elif record.outcome == "abandoned":
        if not rule.enabled or record.caller is None or record.customer_id is None:
            return None  # off, a withheld number, or a number no customer owns
        if record.wait_s <= rule.min_wait_s:
            return None  # a short abandon
        why = ABANDONED
    else:
        return None
    if queued_at is not None:
        placed = datetime.fromtimestamp(queued_at, UTC)
    else:
        placed = datetime.fromtimestamp(record.ended_at.timestamp() - record.wait_s, UTC)
    placed = max(placed, record.started_at)
    return OwedCallback(
        why=why,
        call_ref=call_ref(record.pbx, record.linkedid),
        caller=record.caller,
        customer_id=record.customer_id,
        queue=record.queues[-1],
        placed_at=placed,
        priority=queue_priority(record.routing),
        waited_s=record.wait_s,
    )


def reaching_call(
    item_caller: str | None,
    item_customer: int | None,
    filed_at: datetime,
    answered: Sequence[CallRecord],
) -> CallRecord | None:
    """The first of these answered calls that makes a waiting callback pointless: one of the
    same caller or customer that started after the item was filed; None if none does."""
    reaching = (
        record
        for record in answered
        if filed_at < record.started_at
        and (
            (item_caller is not None and record.caller == item_caller)
            or (item_customer is not None and record.customer_id == item_customer)
        )
    )
    return min(reaching, key=lambda r: r.started_at, default=None)
