"""The skills router: call + customer snapshot + live agents + rules -> a routing decision."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from callcenter.domain.routing.decision import OverflowStep, RoutingDecision, TraceStep
from callcenter.domain.routing.inputs import (
    CallInfo,
    CustomerSnapshot,
    GroupStaff,
    LiveAgents,
    OpenComplaint,
    ServedBy,
)
from callcenter.domain.routing.rules import Match, RoutingRules, Rule


@dataclass
class _Draft:
    queue: str
    priority: int = 0
    preferred: str | None = None
    preferred_by: str = ""
    reasons: list[str] = field(default_factory=list)
    trace: list[TraceStep] = field(default_factory=list)


def decide(
    call: CallInfo,
    snapshot: CustomerSnapshot | None,
    live: LiveAgents,
    rules: RoutingRules,
) -> RoutingDecision:
    """Evaluate the ordered rules for one call; pure and deterministic."""
    trace: list[TraceStep] = []
    draft = _Draft(queue=_entry_group(call, rules, trace), trace=trace)
    complaint = _sticky_complaint(snapshot, call.at, rules)
    served = _recent_agent(snapshot, call.at, rules.agent_sticky_days)
    for rule in rules.rules:
        why_not = _mismatch(rule.match, call, snapshot, complaint, served, draft, rules)
        if why_not is not None:
            draft.trace.append(TraceStep(rule.name, False, why_not))
            continue
        detail = _apply(rule, draft, complaint, served, rules, live)
        draft.trace.append(TraceStep(rule.name, True, detail))
        if rule.stop:
            draft.trace.append(TraceStep(rule.name, True, "stop: later rules not evaluated"))
            break
    return _finish(draft, call, snapshot, rules)


def fallback_decision(call: CallInfo, rules: RoutingRules, why: str) -> RoutingDecision:
    """The DID's default queue when the customer data cannot be had in time (reason `fallback`)."""
    trace = [TraceStep("fallback", True, why)]
    draft = _Draft(queue=_entry_group(call, rules, trace), reasons=["fallback"], trace=trace)
    return _finish(draft, call, None, rules)


def _entry_group(call: CallInfo, rules: RoutingRules, trace: list[TraceStep]) -> str:
    group = rules.group_for_did(call.did)
    if group is None:
        trace.append(
            TraceStep(
                "entry", True, f"DID {call.did!r} unknown: default group {rules.default_group}"
            )
        )
        return rules.default_group
    trace.append(TraceStep("entry", True, f"DID {call.did} -> {group}"))
    return group


def _sticky_complaint(
    snapshot: CustomerSnapshot | None, now: datetime, rules: RoutingRules
) -> OpenComplaint | None:
    if snapshot is None:
        return None
    horizon = now - timedelta(days=rules.complaint_sticky_days)
    recent = [c for c in snapshot.open_complaints if c.opened_at >= horizon]
    return max(recent, key=lambda c: (c.opened_at, c.id), default=None)


def _recent_agent(snapshot: CustomerSnapshot | None, now: datetime, days: int) -> ServedBy | None:
    if snapshot is None:
        return None
    horizon = now - timedelta(days=days)
    recent = [s for s in snapshot.last_agents if s.at >= horizon]
    return max(recent, key=lambda s: s.at, default=None)


def _mismatch(
    m: Match,
    call: CallInfo,
    snap: CustomerSnapshot | None,
    complaint: OpenComplaint | None,
    served: ServedBy | None,
    draft: _Draft,
    rules: RoutingRules,
) -> str | None:
    """Why the rule does not match, or None when it does."""
    menu = call.menu or "none"
    if m.did is not None and (call.did or "") not in m.did:
        return f"DID {call.did!r} not in {sorted(m.did)}"
    if m.menu is not None and menu not in m.menu:
        return f"menu {menu!r} not in {sorted(m.menu)}"
    known = "known" if snap is not None else "unknown"
    if m.caller is not None and known != m.caller:
        return f"caller is {known}"
    if m.queue is not None and draft.queue not in m.queue:
        return f"queue {draft.queue} not in {sorted(m.queue)}"
    customer_conditions = (m.segment, m.role, m.credit_hold, m.open_complaint, m.served_recently)
    if snap is None and any(c is not None for c in customer_conditions):
        return "needs a known customer"
    if snap is None:
        return None
    if m.segment is not None and snap.segment not in m.segment:
        return f"segment {snap.segment} not in {sorted(m.segment)}"
    if m.role is not None and not snap.roles & m.role:
        return f"roles {sorted(snap.roles)} share none of {sorted(m.role)}"
    if m.credit_hold is not None and snap.credit_hold != m.credit_hold:
        return f"credit hold is {snap.credit_hold}"
    if m.open_complaint is not None and (complaint is not None) != m.open_complaint:
        return f"open complaint within {rules.complaint_sticky_days} days: {complaint is not None}"
    if m.served_recently is not None and (served is not None) != m.served_recently:
        return f"served within {rules.agent_sticky_days} days: {served is not None}"
    return None


def _apply(
    rule: Rule,
    draft: _Draft,
    complaint: OpenComplaint | None,
    served: ServedBy | None,
    rules: RoutingRules,
    live: LiveAgents,
) -> str:
    notes: list[str] = []
    if rule.queue is not None:
        draft.queue = rule.queue
        notes.append(f"queue {rule.queue}")
    if rule.queue_from == "complaint" and complaint is not None:
        if complaint.owner_group:
            draft.queue = complaint.owner_group
            notes.append(f"queue {complaint.owner_group} (owner of complaint {complaint.id})")
        else:
            notes.append(f"complaint {complaint.id} has no owner group: queue stays {draft.queue}")
    if rule.queue_if_staffed is not None:
        if live.get(rule.queue_if_staffed, GroupStaff()).staffed:
            draft.queue = rule.queue_if_staffed
            notes.append(f"queue {rule.queue_if_staffed} (staffed)")
        else:
            notes.append(f"{rule.queue_if_staffed} not staffed: queue stays {draft.queue}")
    if rule.priority is not None:
        if rule.priority > draft.priority:
            draft.priority = rule.priority
            notes.append(f"priority {rule.priority}")
        else:
            notes.append(f"priority stays {draft.priority}")
    if rule.prefer is not None:
        notes.append(_prefer(rule, draft, complaint, served, rules.agent_sticky_days, live))
    if rule.reason is not None:
        draft.reasons.append(rule.reason)
    return "; ".join(notes) or "matched"


def _prefer(
    rule: Rule,
    draft: _Draft,
    complaint: OpenComplaint | None,
    served: ServedBy | None,
    sticky_days: int,
    live: LiveAgents,
) -> str:
    if draft.preferred is not None:
        return f"preferred agent already {draft.preferred} ({draft.preferred_by})"
    staff = _merged(live)
    candidate: str | None = None
    note = ""
    if rule.prefer == "complaint-owner":
        code = complaint.owner_agent_code if complaint else None
        if code is None:
            note = "complaint has no owning agent"
        elif staff.present(code):
            candidate = code
        else:
            note = f"owner {code} not logged in or paused"
    elif rule.prefer == "last-agent":
        code = served.agent_code if served else None
        if code is None:
            note = f"no agent served them within {sticky_days} days"
        elif staff.free(code):
            candidate = code
        else:
            note = f"last agent {code} not free"
    else:
        free = [code for code in rule.agents if staff.free(code)]
        candidate = free[0] if free else None
        note = "" if free else f"none of {list(rule.agents)} free"
    if candidate is None:
        return note
    draft.preferred, draft.preferred_by = candidate, rule.name
    return f"preferred agent {candidate}"


def _merged(live: LiveAgents) -> GroupStaff:
    # an agent's presence is the same whichever queue reports it
    logged, paused, busy = set[str](), set[str](), set[str]()
    for staff in live.values():
        logged |= staff.logged_in
        paused |= staff.paused
        busy |= staff.busy
    return GroupStaff(frozenset(logged), frozenset(paused), frozenset(busy))


def _finish(
    draft: _Draft, call: CallInfo, snap: CustomerSnapshot | None, rules: RoutingRules
) -> RoutingDecision:
    reason = ", ".join(draft.reasons) or "default"
    base = RoutingDecision(
        action="queue",
        queue=draft.queue,
        priority=draft.priority,
        customer_id=snap.customer_id if snap else None,
        segment=snap.segment if snap else None,
        preferred_agent=draft.preferred,
        overflow=_overflow_plan(draft.queue, rules),
        reason=reason,
    )
    if not rules.is_open(draft.queue, call.at):
        local = call.at.astimezone(ZoneInfo(rules.timezone)).strftime("%a %Y-%m-%d %H:%M")
        draft.trace.append(
            TraceStep("hours", True, f"{draft.queue} closed at {local} {rules.timezone}: callback")
        )
        return replace(
            base,
            action="callback",
            queue=None,
            preferred_agent=None,
            overflow=(),
            reason=f"outside hours ({reason})" if draft.reasons else "outside hours",
            callback_group=rules.callback_group,
            trace=tuple(draft.trace),
        )
    draft.trace.append(TraceStep("hours", True, f"{draft.queue} open"))
    return replace(base, trace=tuple(draft.trace))


def _overflow_plan(queue: str, rules: RoutingRules) -> tuple[OverflowStep, ...]:
    return rules.groups[queue].overflow_plan()
