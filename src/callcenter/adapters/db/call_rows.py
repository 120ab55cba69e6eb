"""Stored call rows to `CallRecord`s (the repository and the report reads share this)."""

from __future__ import annotations

from typing import Any

from callcenter.domain.calls.records import CallLeg, CallRecord


def call_record_from_row(row: Any) -> CallRecord:
    """A stored call as a record, from a CallRecordRow or a row of its columns."""
    return CallRecord(
        id=row.id,
        pbx=row.pbx,
        linkedid=row.linkedid,
        direction=row.direction,
        caller=row.caller,
        caller_name=row.caller_name,
        customer_id=row.customer_id,
        queues=tuple(row.queues or ()),
        agent=row.agent,
        agent_id=row.agent_id,
        outcome=row.outcome,
        wait_s=row.wait_s,
        talk_s=row.talk_s,
        ring_attempts=row.ring_attempts,
        transferred=row.transferred,
        routing=getattr(row, "routing", None),
        started_at=row.started_at,
        answered_at=row.answered_at,
        ended_at=row.ended_at,
        wrapup_s=row.wrapup_s,
        disposition_code=row.disposition_code,
        settled_first_contact=row.settled_first_contact,
        legs=tuple(
            CallLeg(agent=g["agent"], queue=g.get("queue"), talk_s=float(g["talk_s"]))
            for g in getattr(row, "legs", None) or ()
        ),
        monitored=getattr(row, "monitored", None) or 0,
        recordings=tuple(getattr(row, "recordings", None) or ()),
        amd=getattr(row, "amd", None),
        caller_verified=getattr(row, "caller_verified", None),
        ended_during_outage=bool(getattr(row, "ended_during_outage", False)),
    )
