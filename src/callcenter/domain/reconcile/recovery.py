"""Calls no process saw, read back from Asterisk's queue_log (pure).

A call that began and ended while no process was logged in to the AMI (a crash and its restart,
an AMI cut) never reached the tracker, so neither the journal nor the resync can store it. The
queue_log still has it: each finished queue call whose callid matches no stored or live call
becomes a record marked `ended_during_outage`, with what the queue_log knows (queues, the agent
who answered last, wait and talk in whole seconds; no caller name, routing or customer).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
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
