"""Webhook events and their signature: which facts become which event, and how bodies are signed.

Signature header: `X-Callcenter-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`
keyed with the subscription's secret. A receiver recomputes it over the raw body and rejects a
mismatch or a `t` too far from its own clock (replays).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from callcenter.domain.calls.facts import CallAnswered, CallEnded, Fact, RingStarted
from callcenter.domain.campaigns.records import ListRecord
from callcenter.domain.complaints.records import Complaint
from callcenter.domain.work_items import WorkItem

SIGNATURE_HEADER = "X-Callcenter-Signature"
EVENT_HEADER = "X-Callcenter-Event"
DELIVERY_HEADER = "X-Callcenter-Delivery"

EMITTED_EVENTS = (
    "call.ringing",
    "call.answered",
    "call.ended",
    "call.disposition",
    "complaint.changed",
    "work_item.created",
    "work_item.done",
    "campaign.result",
)
# Names kept for features not built yet: accepted in subscriptions, emitted once they exist.
RESERVED_EVENTS: tuple[str, ...] = ()
EVENT_TYPES = EMITTED_EVENTS + RESERVED_EVENTS
DIRECTIONS = ("inbound", "outbound")


@dataclass(frozen=True, slots=True)
class Event:
    """One event to deliver: its type, data, and what a subscription filter looks at."""

    type: str
    at: float
    data: dict[str, Any]
    group: str | None = None
    direction: str | None = None

    def envelope(self, event_id: str) -> dict[str, Any]:
        """The JSON body every subscriber of this event gets."""
        when = datetime.fromtimestamp(self.at, UTC).isoformat()
        return {"id": event_id, "type": self.type, "at": when, "data": self.data}


def wants(events: tuple[str, ...], group: str | None, direction: str | None, event: Event) -> bool:
    """Whether a subscription (its events and filter) wants this event."""
    if event.type not in events:
        return False
    if group is not None and event.group != group:
        return False
    return direction is None or event.direction == direction


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value for a body sent at `timestamp`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes, now: float, tolerance_s: float = 300) -> bool:
    """Whether `header` signs `body` with `secret` and is no older than `tolerance_s`."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance_s:
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def event_for_fact(fact: Fact, group_of: dict[str, str]) -> Event | None:
    """The webhook event a call fact makes (None for facts no event is made of)."""
    data: dict[str, Any]
    if isinstance(fact, RingStarted):
        data = {
            "pbx": fact.pbx,
            "linkedid": fact.linkedid,
            "agent": fact.agent,
            "queue": fact.queue,
            "group": group_of.get(fact.queue),
            "caller": fact.caller,
            "caller_name": fact.caller_name,
            "waited_s": round(fact.waited_s, 3),
        }
        return Event("call.ringing", fact.at, data, group_of.get(fact.queue), "inbound")
    if isinstance(fact, CallAnswered):
        data = {
            "pbx": fact.pbx,
            "linkedid": fact.linkedid,
            "agent": fact.agent,
            "queue": fact.queue,
            "group": group_of.get(fact.queue),
            "waited_s": round(fact.waited_s, 3),
        }
        return Event("call.answered", fact.at, data, group_of.get(fact.queue), "inbound")
    if isinstance(fact, CallEnded):
        record = fact.record
        group = next((group_of[q] for q in record.queues if q in group_of), None)
        data = {
            "pbx": record.pbx,
            "linkedid": record.linkedid,
            "direction": record.direction,
            "caller": record.caller,
            "queues": list(record.queues),
            "group": group,
            "agent": record.agent,
            "outcome": record.outcome,
            "wait_s": round(record.wait_s, 3),
            "talk_s": round(record.talk_s, 3),
            "transferred": record.transferred,
            "started_at": record.started_at.isoformat(),
            "ended_at": record.ended_at.isoformat(),
        }
        return Event("call.ended", fact.at, data, group, record.direction)
    return None


def complaint_event(complaint: Complaint, change: str, at: float) -> Event:
    """`complaint.changed`: opened, a status move or an escalation (filtered on its owner group)."""
    data = {
        "complaint_id": complaint.id,
        "change": change,
        "customer_id": complaint.customer_id,
        "order_id": complaint.order_id,
        "category": complaint.category,
        "severity": complaint.severity,
        "status": complaint.status,
        "escalation_level": complaint.escalation_level,
        "owner_group": complaint.owner_group,
        "sla_due_at": complaint.sla_due_at.isoformat(),
    }
    return Event("complaint.changed", at, data, complaint.owner_group, None)


def disposition_event(
    *, pbx: str, linkedid: str, code: str, settled: bool, agent: str, at: float,
    call: tuple[str | None, str | None],
) -> Event:  # fmt: skip
    """`call.disposition`; `call` is the (group, direction) seen when the call ended, if known."""
    data = {
        "pbx": pbx,
        "linkedid": linkedid,
        "code": code,
        "settled": settled,
        "agent": agent,
        "group": call[0],
    }
    return Event("call.disposition", at, data, call[0], call[1])


def work_item_created_event(item: WorkItem, at: float) -> Event:
    """`work_item.created`: an item was stored (filtered on its group)."""
    data = {
        "id": item.id,
        "kind": item.kind,
        "group": item.group_slug,
        "status": item.status,
        "due_at": item.due_at.isoformat() if item.due_at is not None else None,
        "customer_id": item.customer_id,
    }
    return Event("work_item.created", at, data, item.group_slug, None)


def work_item_done_event(item: WorkItem, agent: str | None, at: float) -> Event:
    """`work_item.done`: an item reached done; `agent` is its owner's code, if it has one."""
    data = {
        "id": item.id,
        "kind": item.kind,
        "group": item.group_slug,
        "outcome": item.outcome,
        "disposition": item.disposition_code,
        "agent": agent,
        "customer_id": item.customer_id,
    }
    return Event("work_item.done", at, data, item.group_slug, None)


def campaign_result_event(
    *, group: str, record: ListRecord, at: float, agent: str | None,
    outcome: str | None = None, disposition: str | None = None,
) -> Event:  # fmt: skip
    """`campaign.result`: an attempt ended with `outcome`, or the record got `disposition`."""
    data = {
        "campaign_id": record.campaign_id,
        "record_id": record.id,
        "number": record.number,
        "customer_id": record.customer_id,
        "outcome": outcome,
        "disposition": disposition,
        "agent": agent,
        "record_status": record.status,
        "closed_reason": record.closed_reason,
        "attempts": record.attempts,
        "group": group,
        "direction": "outbound",
    }
    return Event("campaign.result", at, data, group, "outbound")
