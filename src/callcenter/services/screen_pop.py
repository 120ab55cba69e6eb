"""Screen-pop: fetch the caller's record when the call is offered, pop it when an agent rings."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from callcenter.domain.agents.directory import AgentDirectory
from callcenter.domain.calls.facts import (
    AgentFoundOnCall,
    CallAnswered,
    CallEnded,
    CallLeftAgent,
    CallOffered,
    Fact,
    RingNoAnswer,
    RingStarted,
)
from callcenter.domain.customers.numbers import parse_caller_id
from callcenter.ports.push import CallEndedOnDesk, CallUpdate, Notifier, PoppedCall, ScreenPop
from callcenter.ports.screen_pop import PopDirectory
from callcenter.services.call_customers import CallCustomers
from callcenter.services.pop_cards import PreparedCall, call_card

log = logging.getLogger(__name__)
OUTBOUND_POP_S = 300.0  # a click-to-dial whose call connects later than this gets no pop


class ScreenPopService:
    """Turns call facts into `screen_pop` and `call_update` messages on the agents' channels."""

    def __init__(
        self,
        *,
        notifier: Notifier,
        directory: PopDirectory,
        agents: AgentDirectory,
        region: str = "CN",
        fetch_timeout_s: float = 5.0,
        keep: int = 5000,
        clock: Callable[[], float] = time.time,
        on_pop: Callable[[RingStarted, float], None] | None = None,
        customers: CallCustomers | None = None,
    ) -> None:
        self._notifier = notifier
        self._directory = directory
        self.agents = agents
        self._region = region
        self._timeout = fetch_timeout_s
        self._keep = keep
        self._clock = clock
        self._on_pop = on_pop  # called right after a pop is published (the pop-latency metric)
        self._customers = customers
        self._calls: OrderedDict[tuple[str, str], PreparedCall] = OrderedDict()
        self._dialling: dict[str, tuple[str, float]] = {}  # agent code -> (E.164, when dialled)
        # (pbx, linkedid, agent code) -> the campaign part of the pop (campaign calls only)
        self.campaign_for: Callable[[str, str, str], Mapping[str, Any] | None] | None = None
        self.pops_sent = 0
        self.incomplete_pops = 0

    # -- facts -----------------------------------------------------------------------------

    def on_fact(self, fact: Fact) -> None:
        """React to one fact from the call state machine (synchronous: never waits on the DB)."""
        if isinstance(fact, CallOffered):
            self._prepare(fact.pbx, fact.linkedid, fact.caller, fact.caller_name)
        elif isinstance(fact, RingStarted):
            self._pop(fact)
        elif isinstance(fact, AgentFoundOnCall):
            self._pop_found(fact)
        elif isinstance(fact, RingNoAnswer):
            self._update(fact.pbx, fact.linkedid, fact.interface, "missed")
        elif isinstance(fact, CallAnswered):
            if fact.queue == "" and (fact.pbx, fact.linkedid) not in self._calls:
                self._pop_outbound(fact)
            self._update(fact.pbx, fact.linkedid, fact.interface, "answered")
        elif isinstance(fact, CallLeftAgent):
            self._left(fact)
        elif isinstance(fact, CallEnded):
            self._ended(fact)

    async def aclose(self) -> None:
        """Cancel fetches still running."""
        tasks = [p.task for p in self._calls.values() if p.task and not p.task.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def dialled(self, code: str, e164: str) -> None:
        """The agent asked to dial out: pop the customer once that call connects."""
        self._dialling[code] = (e164, self._clock())

    # -- internals -------------------------------------------------------------------------

    def _prepare(
        self, pbx: str, linkedid: str, caller: str | None, caller_name: str | None
    ) -> PreparedCall:
        key = (pbx, linkedid)
        prepared = self._calls.get(key)
        if prepared is not None:
            return prepared
        prepared = PreparedCall(caller=caller, caller_name=caller_name)
        self._calls[key] = prepared
        while len(self._calls) > self._keep:
            _, old = self._calls.popitem(last=False)
            if old.task and not old.task.done():
                old.task.cancel()
        prepared.task = asyncio.get_running_loop().create_task(self._fetch(key, prepared))
        return prepared

    async def _fetch(self, key: tuple[str, str], prepared: PreparedCall) -> None:
        try:
            async with asyncio.timeout(self._timeout):
                await self._fill(key, prepared)
        except Exception as exc:  # the pop goes out without the record; say so on the card
            prepared.error = f"customer record unavailable ({type(exc).__name__})"
            log.warning("screen-pop fetch for %s failed: %r", key[1], exc)
        prepared.done = True
        for code, call in prepared.popped.items():
            self._send_pop(code, call, prepared)

    async def _fill(self, key: tuple[str, str], prepared: PreparedCall) -> None:
        parsed = parse_caller_id(prepared.caller, self._region)
        if parsed.kind != "number":
            prepared.lookup = {
                "status": "withheld" if parsed.kind == "withheld" else "unknown",
                "e164": None,
                "candidates": [],
            }
            return
        result = await self._directory.lookup(raw=prepared.caller)
        prepared.lookup = result.to_json()
        if result.customer_id is not None:
            prepared.customer_id = result.customer_id
            if self._customers is not None:  # for the call record, whatever the bundle does
                self._customers.matched(key[0], key[1], result.customer_id)
            now = datetime.fromtimestamp(self._clock(), UTC)
            bundle = await self._directory.bundle(customer_id=result.customer_id, now=now)
            prepared.bundle = bundle.to_json()

    def _pop(self, fact: RingStarted) -> None:
        code = self.agents.code_for(fact.interface, fact.agent)
        if code is None:
            log.warning("ringing agent %s (%s) is not a known agent", fact.agent, fact.interface)
            return
        prepared = self._prepare(fact.pbx, fact.linkedid, fact.caller, fact.caller_name)
        routing = dict(fact.routing)
        call = call_card(
            fact.pbx,
            fact.linkedid,
            fact.caller,
            fact.caller_name,
            fact.queue,
            at=fact.at,
            waited_s=fact.waited_s,
            reason=routing.get("CC_REASON"),
            priority=routing.get("CC_PRIORITY"),
        )
        prepared.popped[code] = call
        self._campaign(prepared, fact.pbx, fact.linkedid, code)
        self._send_pop(code, call, prepared)
        if self._on_pop is not None:
            self._on_pop(fact, self._clock())

    def _pop_found(self, fact: AgentFoundOnCall) -> None:
        """A pop the agent may have missed (the ring was before this process listened)."""
        code = self.agents.code_for(fact.interface, fact.agent)
        if code is None:
            return
        prepared = self._prepare(fact.pbx, fact.linkedid, fact.caller, fact.caller_name)
        if code in prepared.popped:
            return
        call = call_card(
            fact.pbx, fact.linkedid, fact.caller, fact.caller_name, fact.queue, at=fact.at
        )
        prepared.popped[code] = call
        self._send_pop(code, call, prepared)
        if not fact.ringing:
            self._notifier.call_update(
                code, CallUpdate(state="answered", linkedid=fact.linkedid, pbx=fact.pbx)
            )

    def _pop_outbound(self, fact: CallAnswered) -> None:
        """An agent-first outbound call connected: the agent gets the same pop as for inbound."""
        code = self.agents.code_for(fact.interface, fact.agent)
        dialling = self._dialling.pop(code, None) if code else None
        if code is None or dialling is None or self._clock() - dialling[1] > OUTBOUND_POP_S:
            return
        e164, since = dialling
        prepared = self._prepare(fact.pbx, fact.linkedid, e164, None)
        call = call_card(fact.pbx, fact.linkedid, e164, None, None, at=since, direction="outbound")
        prepared.popped[code] = call
        self._campaign(prepared, fact.pbx, fact.linkedid, code)
        self._send_pop(code, call, prepared)

    def _campaign(self, prepared: PreparedCall, pbx: str, linkedid: str, code: str) -> None:
        if prepared.campaign is None and self.campaign_for is not None:
            prepared.campaign = self.campaign_for(pbx, linkedid, code)

    def _send_pop(self, code: str, call: PoppedCall, prepared: PreparedCall) -> None:
        complete = prepared.done and prepared.error is None
        message = ScreenPop(
            call=call,
            complete=complete,
            caller=prepared.lookup
            or {"status": "pending", "e164": prepared.caller, "candidates": []},
            bundle=prepared.bundle,
            error=prepared.error,
            campaign=prepared.campaign,
        )
        self._notifier.screen_pop(code, message)
        self.pops_sent += 1
        if not complete:
            self.incomplete_pops += 1

    def _update(self, pbx: str, linkedid: str, interface: str, state: str) -> None:
        code = self.agents.code_for(interface, None)
        prepared = self._calls.get((pbx, linkedid))
        if code is None or prepared is None:
            return
        if state == "missed":
            prepared.popped.pop(code, None)
        self._notifier.call_update(code, CallUpdate(state=state, linkedid=linkedid, pbx=pbx))

    def _left(self, fact: CallLeftAgent) -> None:
        """A transfer took the call away from this agent: their part of it is over."""
        code = self.agents.code_for(fact.interface, fact.agent)
        if code is None:
            return
        prepared = self._calls.get((fact.pbx, fact.linkedid))
        if prepared is not None:
            prepared.popped.pop(code, None)
        ended = CallEndedOnDesk(
            outcome=fact.reason,
            talk_s=round(fact.talk_s, 1),
            customer_id=prepared.customer_id if prepared else None,
            disposition_required=True,
        )
        self._notifier.call_update(
            code, CallUpdate(state="ended", linkedid=fact.linkedid, pbx=fact.pbx, ended=ended)
        )

    def _ended(self, fact: CallEnded) -> None:
        record = fact.record
        # A call first seen in a reconnect's snapshot has no prepared pop: still tell the agent.
        prepared = self._calls.pop((fact.pbx, fact.linkedid), None)
        if prepared is None and record.direction == "inbound":
            prepared = PreparedCall(caller=record.caller, caller_name=record.caller_name)
        if fact.agent_interface is None or prepared is None:
            return
        self._update_after_end(fact, prepared, record.outcome, record.talk_s)

    def _update_after_end(
        self, fact: CallEnded, prepared: PreparedCall, outcome: str, talk_s: float
    ) -> None:
        code = self.agents.code_for(fact.agent_interface or "", fact.record.agent)
        if code is None:
            return
        ended = CallEndedOnDesk(
            outcome=outcome,
            talk_s=round(talk_s, 1),
            customer_id=prepared.customer_id,
            disposition_required=outcome == "answered",
        )
        self._notifier.call_update(
            code, CallUpdate(state="ended", linkedid=fact.linkedid, pbx=fact.pbx, ended=ended)
        )
