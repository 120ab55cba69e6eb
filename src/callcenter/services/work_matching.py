"""Who sent a work item and which group takes it: the caller lookup and the router, reused.

A sender is matched the way a caller is (domain.customers.lookup ranks the holders of a phone
number); an e-mail address or member number adds its holders. A member number names one customer,
so a match on it wins; otherwise one customer found is `matched`, several `ambiguous`, none
`unknown`. The group, when intake names none, is the kind's group in the rule book's `[work]`,
refined by the ordered rules as for a call (an open complaint's owner group, credit hold, the
priority of a segment); opening hours do not apply to filing work.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from callcenter.domain.customers.lookup import Candidate
from callcenter.domain.customers.numbers import parse_caller_id
from callcenter.domain.customers.records import NumberOwner
from callcenter.domain.routing.inputs import CallInfo, CustomerSnapshot, LiveAgents
from callcenter.domain.routing.router import decide
from callcenter.domain.routing.rules import RoutingRules
from callcenter.domain.work_items import CustomerMatch, MatchCandidate, Sender
from callcenter.ports.customer_stores import Phones
from callcenter.ports.routing import AgentPresence, SnapshotSource
from callcenter.ports.work_items import WorkItems
from callcenter.services.customer_views import lookup_from_owners

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Placement:
    """Where the router puts an item: group, priority, a preferred agent, and why."""

    group: str
    priority: int
    preferred_agent: str | None
    reason: str


class OwnerSource(Protocol):
    """Who holds an e-mail address or a member number (the WorkItems store, or a batch's)."""

    async def sender_owners(
        self, *, email: str | None = None, member_no: str | None = None
    ) -> list[NumberOwner]: ...


class BatchOwners:
    """A batch of senders' e-mail owners read in one query; the rest asked of the store."""

    def __init__(self, store: WorkItems, by_email: dict[str, list[NumberOwner]]) -> None:
        self._store = store
        self._by_email = by_email

    @classmethod
    async def read(cls, store: WorkItems, senders: Sequence[Sender]) -> BatchOwners:
        """The owners of every sender's address, at once."""
        emails = [s.email for s in senders if s.email]
        return cls(store, await store.owners_by_email(emails=emails) if emails else {})

    async def sender_owners(
        self, *, email: str | None = None, member_no: str | None = None
    ) -> list[NumberOwner]:
        """As WorkItems.sender_owners."""
        found: list[NumberOwner] = []
        if email:
            known = self._by_email.get(email.lower())
            found += known if known is not None else await self._store.sender_owners(email=email)
        if member_no:
            found += await self._store.sender_owners(member_no=member_no)
        return found


async def match_sender(
    store: OwnerSource, phones: Phones, sender: Sender, region: str
) -> CustomerMatch:
    """The customers who may have sent it, ranked as the caller lookup ranks them."""
    by_id: dict[int, MatchCandidate] = {}
    e164 = None
    if sender.phone:
        parsed = parse_caller_id(sender.phone, region)
        e164 = parsed.e164
        if e164 is not None:
            result = lookup_from_owners(parsed, await phones.customers_by_e164(e164=e164))
            for c in result.candidates:
                by_id.setdefault(c.customer_id, _candidate(c, "by phone"))
    member = None
    if sender.member_no:
        owners = await store.sender_owners(member_no=sender.member_no)
        for o in owners:
            member = MatchCandidate(
                o.customer.id, o.customer.name, o.customer.segment, "member number"
            )
    if sender.email:
        for o in await store.sender_owners(email=sender.email):
            by_id.setdefault(
                o.customer.id,
                MatchCandidate(o.customer.id, o.customer.name, o.customer.segment, "e-mail"),
            )
    if member is not None:
        return CustomerMatch("matched", (member,), e164)
    if not by_id:
        return CustomerMatch("unknown", (), e164)
    found = tuple(by_id.values())
    return CustomerMatch("matched" if len(found) == 1 else "ambiguous", found, e164)


def _candidate(c: Candidate, how: str) -> MatchCandidate:
    return MatchCandidate(c.customer_id, c.name, c.segment, f"{how}: {c.reason}")


class Placer:
    """Picks an item's group and priority with the rule book, as the router does for a call."""

    def __init__(
        self,
        *,
        rules: RoutingRules,
        snapshots: SnapshotSource | None = None,
        presence: AgentPresence | None = None,
    ) -> None:
        self.rules = rules
        # filing work ignores opening hours: the group takes it whenever it is open next
        self._open_rules = replace(
            rules, groups={slug: replace(g, hours=()) for slug, g in rules.groups.items()}
        )
        self._snapshots = snapshots
        self._presence = presence

    def entry_group(self, kind: str) -> str:
        """The kind's group in `[work.groups]`, else the rule book's default group."""
        return self.rules.work.groups.get(kind) or self.rules.default_group

    async def place(self, *, kind: str, e164: str | None, at: datetime) -> Placement:
        """The group (refined by the rules), priority and preferred agent of a new item."""
        entry = self.entry_group(kind)
        snapshot = await self._snapshot(e164)
        did = self.rules.groups[entry].did
        decision = decide(
            CallInfo(caller=e164, did=did, menu=None, at=at),
            snapshot,
            await self._live(),
            self._open_rules,
        )
        group = decision.queue or entry
        return Placement(group, decision.priority, decision.preferred_agent, decision.reason)

    async def _snapshot(self, e164: str | None) -> CustomerSnapshot | None:
        if e164 is None or self._snapshots is None:
            return None
        try:
            return await self._snapshots.snapshot_for(e164)
        except Exception as exc:  # the rules refine the choice only: file it in the entry group
            log.warning("work item routing without the customer snapshot: %r", exc)
            return None

    async def _live(self) -> LiveAgents:
        if self._presence is None:
            return {}
        try:
            return await self._presence.live_agents()
        except Exception:
            return {}


def prefer(match: CustomerMatch, customer_id: int | None) -> CustomerMatch:
    """The match narrowed to the customer a call was already matched to, if among its holders."""
    if customer_id is None or match.customer_id == customer_id:
        return match
    chosen = tuple(c for c in match.candidates if c.customer_id == customer_id)
    return replace(match, status="matched", candidates=chosen) if chosen else match
