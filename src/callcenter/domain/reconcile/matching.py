"""Our stored calls against Asterisk's queue_log, call by call (pure).

Matching: the queue_log callid is the customer channel's Uniqueid, which is the call's Linkedid
for calls that reached a queue from their own channel (inbound, customer-first outbound). The one
exception in the recordings is an attended transfer: the target queue's caller is the Local `;2`
of the consultation, with its own Uniqueid. Such a callid matches no record; it is folded into the
call whose agent completed an ATTENDEDTRANSFER and that was talking, with the same caller number,
when the consultation entered its queue.

Known queue_log weaknesses taken into account (named in each finding that they explain):
- `redirect_talk`: a call moved to another queue by Redirect is closed in the first queue only when
  the caller hangs up, so its talk time there includes the second queue; the talk compared is cut
  at the next ENTERQUEUE.
- `consultation_overlap`: the first agent's ATTENDEDTRANSFER talk time includes the consultation,
  which the target queue logs again; overlapping talk is counted once.
- `timeout_is_abandon_on_ami`: a queue timeout is EXITWITHTIMEOUT in the queue_log but
  QueueCallerAbandon on AMI.
- whole seconds: queue_log times, hold and talk times are truncated to seconds, so wait and talk
  may differ by the tolerance once per queue stay.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from callcenter.domain.calls.records import CallRecord
from callcenter.domain.reconcile.findings import Difference, Finding, Reconciliation
from callcenter.domain.reconcile.queued_call import CallFacts, QueuedCall

KNOWN_OUTCOME_PAIRS: dict[tuple[str, str], tuple[str, str]] = {
    ("timeout", "abandoned"): (
        "timeout_is_abandon_on_ami",
        "queue_log wrote EXITWITHTIMEOUT where AMI sent QueueCallerAbandon; only the "
        "QUEUESTATUS=TIMEOUT variable tells the two apart",
    ),
}


def fold_consultations(
    calls: Iterable[QueuedCall], known_ids: set[str]
) -> tuple[list[QueuedCall], int]:
    """Fold attended-transfer consultations (callid not ours) into their call, in place."""
    result = list(calls)
    parents: dict[str, list[QueuedCall]] = {}
    for call in result:
        if any(s.end == "ATTENDEDTRANSFER" for s in call.stays):
            parents.setdefault(call.caller or "", []).append(call)
    if not parents:
        return result, 0
    kept: list[QueuedCall] = []
    folded = 0
    for call in result:
        parent = None
        if call.callid not in known_ids:
            parent = _consulted_by(call, parents.get(call.caller or "", []))
        if parent is None:
            kept.append(call)
            continue
        for stay in call.stays:
            stay.consultation = True  # its waits were the first agent's, not the customer's
        parent.stays.extend(call.stays)
        parent.merged.append(call.callid)
        folded += 1
    return kept, folded


def _consulted_by(call: QueuedCall, candidates: list[QueuedCall]) -> QueuedCall | None:
    start = call.first_at
    for parent in candidates:
        if parent is call:
            continue
        for s in parent.stays:
            if (
                s.end == "ATTENDEDTRANSFER"
                and s.connected_at is not None
                and s.connected_at <= start <= (s.ended_at or start)
            ):
                return parent
    return None


def _same_agent(a: str | None, b: str | None) -> bool:
    return (a or "").strip().casefold() == (b or "").strip().casefold()


def compare_call(call: QueuedCall, record: CallRecord, tolerance_s: float) -> list[Difference]:
    """Where the stored record and the queue_log's account of one call differ."""
    f = call.facts()
    diffs: list[Difference] = []
    if len(record.queues) != len(f.queues) or list(record.queues) != f.queues:
        diffs.append(
            Difference("queues", f.queues, list(record.queues), "the calls entered other queues")
        )
    if f.outcome != record.outcome:
        weakness, why = KNOWN_OUTCOME_PAIRS.get(
            (f.outcome, record.outcome), (None, f"queue_log ends the call {f.outcome}")
        )
        diffs.append(Difference("outcome", f.outcome, record.outcome, why, weakness))
    if f.agent != record.agent and not _same_agent(f.agent, record.agent):
        diffs.append(Difference("agent", f.agent, record.agent, "another agent answered last"))
    allowed = tolerance_s * len(call.stays)
    if abs(f.wait_s - record.wait_s) > allowed:
        why = f"hold times differ by more than {allowed:g} s"
        diffs.append(Difference("wait_s", f.wait_s, record.wait_s, why))
    if abs(f.raw_talk_s - record.talk_s) > allowed or f.raw_talk_s != f.talk_s:
        diffs.extend(_talk(f, record, allowed))
    if f.transferred != record.transferred:
        why = "transfer seen on one side"
        diffs.append(Difference("transferred", f.transferred, record.transferred, why))
    return diffs


def _talk(f: CallFacts, record: CallRecord, allowed: float) -> list[Difference]:
    talk, raw = f.talk_s, f.raw_talk_s
    if abs(talk - record.talk_s) > allowed:
        why = f"talk times differ by more than {allowed:g} s"
        if raw != talk:
            why += f" (queue_log's own figures sum to {raw} s, overlaps counted once: {talk} s)"
        return [Difference("talk_s", talk, record.talk_s, why)]
    if abs(raw - record.talk_s) <= allowed:
        return []
    if f.cut:
        weakness = "redirect_talk"
        why = (
            "after a Redirect the first queue's talk time runs until the caller hangs up, so it "
            f"includes the next queue; cut at the next ENTERQUEUE it is {talk} s, as ours"
        )
    else:
        weakness = "consultation_overlap"
        why = (
            "the first agent's ATTENDEDTRANSFER talk time includes the consultation, which the "
            f"target queue logs again; counted once it is {talk} s, as ours"
        )
    return [Difference("talk_s", raw, record.talk_s, why, weakness)]


def reconcile(
    calls: Sequence[QueuedCall],
    records: Sequence[CallRecord],
    *,
    since: float,
    until: float,
    tolerance_s: float = 1.0,
) -> Reconciliation:
    """Compare the calls that entered a queue in [since, until) on both sides."""
    result = Reconciliation()
    ours: dict[str, CallRecord] = {}
    for stored in records:
        if not stored.queues:
            if since <= stored.started_at.timestamp() < until:
                result.not_queued += 1  # the queue_log cannot know calls that met no queue
            continue
        ours.setdefault(stored.linkedid, stored)
    folded, _ = fold_consultations(calls, set(ours))
    matched: set[str] = set()
    for call in folded:
        record = ours.get(call.callid)
        if record is not None:
            matched.add(call.callid)
        if not since <= call.stays[0].entered_at < until:
            continue
        result.asterisk_calls += 1
        if record is not None:
            result.our_calls += 1
        else:
            _missing_here(result, call)
            continue
        if not call.finished:
            continue
        diffs = compare_call(call, record, tolerance_s)
        if not diffs:
            continue
        unexplained = [d for d in diffs if d.weakness is None]
        status = "differs" if unexplained else "explained"
        if unexplained:
            result.differing += 1
        else:
            result.explained += 1
        why = "; ".join(f"{d.field}: {d.why}" for d in diffs)
        result.findings.append(_finding(status, call, record, why, tuple(diffs)))
    for record in ours.values():
        at = record.started_at.timestamp()
        if record.linkedid in matched or not since <= at < until:
            continue
        result.our_calls += 1
        result.missing_there += 1
        result.findings.append(
            Finding(
                status="missing_there",
                linkedid=record.linkedid,
                pbx=record.pbx,
                callids=(),
                at=at,
                queues=record.queues,
                outcome=record.outcome,
                why=f"we stored a call through {', '.join(record.queues)} but the queue_log has "
                f"no line with callid {record.linkedid}",
            )
        )
    return result


def _missing_here(result: Reconciliation, call: QueuedCall) -> None:
    if not call.finished:
        result.unfinished += 1  # still waiting or talking when the log ends: not stored yet
        return
    result.missing_here += 1
    why = f"queue_log has callid {call.callid} in {', '.join(call.queues)}; no stored call has it"
    if call.partial:
        why += " (the log begins in the middle of this call)"
    result.findings.append(
        Finding(
            status="missing_here",
            linkedid=None,
            callids=(call.callid, *call.merged),
            at=float(call.first_at),
            queues=tuple(call.queues),
            outcome=call.outcome,
            why=why,
        )
    )


def _finding(
    status: str, call: QueuedCall, record: CallRecord, why: str, diffs: tuple[Difference, ...]
) -> Finding:
    return Finding(
        status=status,
        linkedid=record.linkedid,
        pbx=record.pbx,
        callids=(call.callid, *call.merged),
        at=float(call.first_at),
        queues=tuple(call.queues),
        outcome=call.outcome,
        why=why,
        differences=diffs,
    )
