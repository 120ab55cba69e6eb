"""Calls no process saw, read back from Asterisk's queue_log (pure).

A call that began and ended while no process was logged in to the AMI (a crash and its restart,
an AMI cut) never reached the tracker, so neither the journal nor the resync can store it. The
queue_log still has it: each finished queue call whose callid matches no stored or live call
becomes a record marked `ended_during_outage`, with what the queue_log knows (queues, the agent
who answered last, wait and talk in whole seconds; no caller name, routing or customer).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from callcenter.domain.calls.records import CallLeg, CallRecord
from callcenter.domain.customers.numbers import parse_caller_id
from callcenter.domain.reconcile.matching import fold_consultations
from callcenter.domain.reconcile.queued_call import QueuedCall


def unseen_calls(
    calls: Sequence[QueuedCall], known: Collection[str], *, since: float
) -> list[QueuedCall]:
    """The finished calls that entered a queue at or after `since` and match no known linkedid.

    A call the log holds only in part (it began before the log's first line) is left out: what
    is known of it is not enough for a record, and its start was seen by whoever wrote that part.
    """
    known_ids = set(known)
    folded, _ = fold_consultations(calls, known_ids)
    return [
        c
        for c in folded
        if c.callid not in known_ids and c.finished and not c.partial and c.first_at >= since
    ]


def unknown_in_progress(calls: Sequence[QueuedCall], known: Collection[str]) -> set[str]:
    """Callids the log shows in a queue or talking (entered within the log) that match no known
    linkedid: calls that began around a login, to look at again once they have ended."""
    known_ids = set(known)
    return {
        c.callid for c in calls if not c.finished and not c.partial and c.callid not in known_ids
    }


def recovered_record(pbx: str, call: QueuedCall, region: str) -> CallRecord:
    """The stored record of a call known only from the queue_log (ended during an outage)."""
    stays = sorted(call.stays, key=lambda s: s.entered_at)
    answered = [s for s in stays if s.connected_at is not None]
    legs = tuple(CallLeg(s.agent or "", s.queue, float(s.talk_s)) for s in answered if s.agent)
    ends = [s.ended_at or s.cut_at or s.entered_at for s in stays]
    first_answer = answered[0].connected_at if answered else None
    return CallRecord(
        pbx=pbx,
        linkedid=call.callid,
        direction="inbound",
        caller=parse_caller_id(call.caller, region).e164,
        caller_name=None,
        queues=tuple(s.queue for s in stays),
        agent=call.agent,
        outcome=call.outcome,
        wait_s=float(call.wait_s),
        talk_s=float(call.talk_s),
        ring_attempts=sum(s.rings for s in stays) + len(answered),
        transferred=call.transferred,
        started_at=_at(call.first_at),
        ended_at=_at(max(ends)),
        answered_at=_at(first_answer) if first_answer is not None else None,
        legs=legs,
        ended_during_outage=True,
    )


def _at(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def corrected_record(stored: CallRecord, call: QueuedCall, region: str) -> CallRecord | None:
    """A call the tracker stored as ended during an outage, set right by the queue_log.

    Such a record holds what was known when the call was found gone: a call ringing an agent at
    an AMI cut that was answered, talked and hung up inside the gap was stored unanswered. When
    the log has the whole call and tells another course (outcome or agents), its outcome,
    agent, legs, wait, talk and end replace the guess; when the course is the one seen, only a
    talk that went on unseen (the log's longer by a second or more) and its end are taken. What
    only the tracker knew (caller name, customer, routing) is kept. None when the record was
    seen to its end, the log does not have the whole call, or nothing is to be set right.
    """
    if not stored.ended_during_outage or not call.finished or call.partial:
        return None
    if call.callid != stored.linkedid:
        return None
    told = recovered_record(stored.pbx, call, region)
    seen = [g.agent for g in stored.legs] == [g.agent for g in told.legs]
    if stored.outcome == told.outcome and seen:
        if told.talk_s < stored.talk_s + 1.0:
            return None
        return replace(
            stored, talk_s=told.talk_s, legs=told.legs, ended_at=max(told.ended_at, stored.ended_at)
        )
    return replace(
        stored,
        queues=stored.queues + tuple(q for q in told.queues if q not in stored.queues),
        agent=told.agent or stored.agent,
        outcome=told.outcome,
        wait_s=told.wait_s,
        talk_s=told.talk_s,
        ring_attempts=max(stored.ring_attempts, told.ring_attempts),
        transferred=stored.transferred or told.transferred,
        answered_at=told.answered_at or stored.answered_at,
        ended_at=max(told.ended_at, stored.started_at),
        legs=told.legs,
    )
