"""Fans call and agent facts out: screen-pops, agent state pushes, presence, stored call records."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from callcenter.domain.calls.facts import AgentStateChanged, CallEnded, Fact
from callcenter.domain.presence import PresenceBoard
from callcenter.domain.records import CallRecord
from callcenter.services.call_store import CallStore
from callcenter.services.ports import Notifier
from callcenter.services.screen_pop import ScreenPopService

log = logging.getLogger(__name__)

FactListener = Callable[[Fact], None]


class CallTracking:
    """The one consumer of facts from every PBX's pipeline."""

    def __init__(
        self,
        *,
        notifier: Notifier,
        pops: ScreenPopService,
        store: CallStore | None,
        presence: PresenceBoard,
        decision_for: Callable[[str], dict[str, Any] | None] | None = None,
        listeners: list[FactListener] | None = None,
    ) -> None:
        self._notifier = notifier
        self._pops = pops
        self._store = store
        self.presence = presence
        self._decision_for = decision_for
        self._listeners = listeners or []
        self.facts = 0

    def on_fact(self, fact: Fact) -> None:
        """Handle one fact; a failing listener is logged and never stops the others."""
        self.facts += 1
        if isinstance(fact, AgentStateChanged):
            self._agent_state(fact)
        else:
            if isinstance(fact, CallEnded):
                self._finished(fact)  # before the pop service forgets the call's customer
            self._pops.on_fact(fact)
        for listener in self._listeners:
            try:
                listener(fact)
            except Exception:
                log.exception("fact listener %r failed on %r", listener, fact)

    def add_listener(self, listener: FactListener) -> None:
        """Also send every fact to `listener` (e.g. the wallboard)."""
        self._listeners.append(listener)

    def _agent_state(self, fact: AgentStateChanged) -> None:
        code = self._pops.agents.code_for(fact.interface, fact.member_name)
        if code is None:
            log.debug("state of unknown agent %s ignored", fact.interface)
            return
        presence = self.presence.apply(fact, code, self._pops.agents.name_of(code))
        self._notifier.publish(
            self._pops.agents.channel(code),
            "agent_state",
            {
                "agent": code,
                "state": presence.state,
                "reason": presence.reason,
                "queues": list(presence.queues),
                "paused_in": list(presence.paused_in),
                "since": presence.since,
            },
        )

    def _finished(self, fact: CallEnded) -> None:
        record = self.enrich(
            fact.record, customer_id=self._pops.customer_for(fact.pbx, fact.linkedid)
        )
        if self._store is not None:
            self._store.submit(record)

    def enrich(self, record: CallRecord, *, customer_id: int | None) -> CallRecord:
        """The record with the matched customer and the routing decision the call carried."""
        routing = dict(record.routing or {})
        if self._decision_for is not None:
            decided = self._decision_for(record.linkedid)
            if decided is not None:
                routing = {**routing, "decision": decided}
        if customer_id is None:
            raw = str(routing.get("CC_CUSTOMER_ID", "")).strip()
            customer_id = int(raw) if raw.isdigit() else None
        return replace(record, customer_id=customer_id, routing=routing or None)
