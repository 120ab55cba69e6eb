"""The fact handlers of call tracking: agent presence pushed to desktops, finished calls stored."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from callcenter.domain.agents.directory import AgentDirectory
from callcenter.domain.agents.presence import PresenceBoard
from callcenter.domain.calls.facts import AgentStateChanged, CallEnded, Fact
from callcenter.domain.calls.records import CallRecord
from callcenter.ports.call_stores import RecordSink
from callcenter.ports.push import AgentState, Notifier
from callcenter.services.call_customers import CallCustomers

log = logging.getLogger(__name__)


class AgentStates:
    """Folds agent state facts into the presence board and pushes `agent_state` to the desktop."""

    def __init__(
        self, *, notifier: Notifier, agents: AgentDirectory, presence: PresenceBoard
    ) -> None:
        self._notifier = notifier
        self._agents = agents
        self.presence = presence

    def on_fact(self, fact: Fact) -> None:
        """Handle one fact (only agent state changes matter here)."""
        if not isinstance(fact, AgentStateChanged):
            return
        code = self._agents.code_for(fact.interface, fact.member_name)
        if code is None:
            log.debug("state of unknown agent %s ignored", fact.interface)
            return
        presence = self.presence.apply(fact, code, self._agents.name_of(code))
        self._notifier.agent_state(
            code,
            AgentState(
                agent=code,
                state=presence.state,
                reason=presence.reason,
                queues=tuple(presence.queues),
                paused_in=tuple(presence.paused_in),
                since=presence.since,
            ),
        )


class CallRecorder:
    """Hands each finished call to the store, with its matched customer and routing decision."""

    def __init__(
        self,
        *,
        store: RecordSink | None,
        customers: CallCustomers,
        decision_for: Callable[[str], dict[str, Any] | None] | None = None,
    ) -> None:
        self._store = store
        self._customers = customers
        self._decision_for = decision_for
        # told of each finished call as stored (e.g. the callbacks queue calls are owed)
        self.on_record: Callable[[CallEnded, CallRecord], None] | None = None

    def on_fact(self, fact: Fact) -> None:
        """Handle one fact (only ended calls matter here)."""
        if not isinstance(fact, CallEnded):
            return
        customer_id = self._customers.take(fact.pbx, fact.linkedid)
        record = self.enrich(fact.record, customer_id=customer_id)
        if self._store is not None:
            self._store.submit(record)
        if self.on_record is not None:
            self.on_record(fact, record)

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
