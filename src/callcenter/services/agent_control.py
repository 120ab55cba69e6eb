"""Agent control: log in/out, pause/resume, dial out, transfer, and call dispositions."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Collection, Mapping

from callcenter.domain.access.auth import MANAGERS, Principal
from callcenter.domain.agents.presence import AgentPresence, PresenceBoard
from callcenter.domain.agents.records import Agent
from callcenter.domain.calls.facts import (
    AgentStateChanged,
    CallAnswered,
    CallEnded,
    CallLeftAgent,
    Fact,
)
from callcenter.domain.customers.numbers import parse_caller_id
from callcenter.ports.call_stores import RecordBuffer
from callcenter.ports.pbx import PbxCommands
from callcenter.ports.uow import UowFactory
from callcenter.services.dial_targets import dial_string, transfer_exten
from callcenter.services.dispositions import Disposition, DispositionBook, DispositionResult
from callcenter.services.errors import (
    Conflict,
    Forbidden,
    InvalidField,
    NotFound,
    PbxRefused,
    PbxUnavailable,
)
from callcenter.services.pending_pauses import PendingPauses

__all__ = ["AgentControl", "dial_string", "transfer_exten"]
log = logging.getLogger(__name__)

ANSWERED_KEEP = 10_000  # calls whose answering agents are remembered (until their record lands)


class AgentControl:
    """The desktop's and REST API's commands, turned into AMI actions and database writes."""

    def __init__(
        self,
        *,
        uow: UowFactory,
        pbxs: Mapping[str, PbxCommands],
        presence: PresenceBoard,
        pause_reasons: Collection[str],
        disposition_codes: Collection[str],
        region: str = "CN",
        records: RecordBuffer | None = None,
        is_live: Callable[[str], bool] = lambda linkedid: False,
        on_disposition: Callable[[Disposition, str], None] | None = None,
        on_dial: Callable[[str, str], None] | None = None,
    ) -> None:
        self.dispositions = DispositionBook(
            uow=uow,
            codes=disposition_codes,
            records=records,
            is_live=is_live,
            on_applied=on_disposition,
        )
        self._uow = uow
        self._pbxs = pbxs
        self.presence = presence
        self.pause_reasons = list(pause_reasons)
        self._region = region
        self.on_dial = on_dial  # (agent code, E.164): the screen-pop pops it when it connects
        self._current: dict[str, tuple[str, str]] = {}  # agent interface -> (pbx, linkedid)
        self._answered: OrderedDict[str, set[str]] = OrderedDict()  # linkedid -> interfaces
        self.pending_pauses = PendingPauses(presence, self._home)

    # -- queue membership --------------------------------------------------------------------

    async def login(self, *, code: str) -> list[tuple[str, int]]:
        """QueueAdd on each skill's queue with penalty 10 - level; [(queue, penalty)]."""
        agent, queues = await self._agent_and_queues(code)
        if not agent.skills:
            raise Conflict(f"agent {code} has no skills: no queue to log in to")
        pbx = self._home()
        added: list[tuple[str, int]] = []
        failure: PbxRefused | None = None
        for skill in agent.skills:
            queue = queues[skill.group_slug]
            try:
                await pbx.add_member(
                    queue=queue,
                    interface=agent.interface,
                    member_name=agent.name,
                    state_interface=agent.state_interface,
                    penalty=skill.penalty,
                )
            except PbxRefused as exc:
                log.warning("login of %s into %s failed: %s", code, queue, exc.message)
                failure = failure or exc
                continue
            added.append((queue, skill.penalty))
        if failure is not None:
            raise failure  # the queues that worked stay: the agent takes calls there
        log.info("agent %s logged in to %s", code, ", ".join(q for q, _ in added))
        return added

    async def logout(self, *, code: str) -> list[str]:
        """QueueRemove from every skill queue and every queue the PBX shows the agent in."""
        agent, queues = await self._agent_and_queues(code)
        pbx = self._home()
        seen = self.presence.get(code)
        targets = list(dict.fromkeys([*queues.values(), *(seen.queues if seen else ())]))
        removed: list[str] = []
        for queue in targets:
            if await pbx.remove_member(queue=queue, interface=agent.interface):
                removed.append(queue)
        log.info("agent %s logged out of %s", code, ", ".join(removed) or "no queue")
        return removed

    async def pause(self, *, code: str, reason: str) -> bool:
        """QueuePause in every queue, with one of the configured reasons (else 422).

        While the agent's phone rings or is on a call the pause is pending (False is returned):
        it is sent once that call is over, as app_queue would not pause a member mid-call.
        """
        if reason not in self.pause_reasons:
            raise InvalidField(
                ("reason",), f"unknown pause reason {reason!r}; one of {self.pause_reasons}"
            )
        agent = await self._agent(code)
        if self.pending_pauses.on_a_call(code):
            self.pending_pauses.hold(code, agent.interface, reason)
            return False
        self.pending_pauses.drop(code)
        await self._home().pause(interface=agent.interface, reason=reason)
        return True

    async def resume(self, *, code: str) -> None:
        """QueuePause Paused=false in every queue (a pending pause is dropped)."""
        agent = await self._agent(code)
        self.pending_pauses.drop(code)
        await self._home().unpause(interface=agent.interface)

    def home_pbx(self) -> PbxCommands:
        """The PBX the agents' phones register with (the first configured)."""
        return self._home()

    def state(self, *, code: str) -> AgentPresence | None:
        """The agent's live presence as the PBX last reported it."""
        return self.presence.get(code)

    # -- calls -------------------------------------------------------------------------------

    async def dial(
        self, *, code: str, number: str | None = None, customer_id: int | None = None
    ) -> str:
        """Originate from the agent's phone to a customer; do-not-call is refused before AMI."""
        if (number is None) == (customer_id is None):
            raise InvalidField(("number",), "give exactly one of number or customer_id")
        agent = await self._agent(code)
        e164 = await self._dial_target(number=number, customer_id=customer_id)
        pbx = self._home()
        if self.on_dial is not None:
            self.on_dial(agent.code, e164)
        variables = {"CC_AGENT": agent.code, "CC_DIALLED": e164}
        if customer_id is not None:
            variables["CC_CUSTOMER_ID"] = str(customer_id)
        action_id = await pbx.originate_agent_first(
            agent_interface=agent.interface,
            dial=dial_string(e164, self._region),
            caller_name=agent.name,
            caller_number=agent.code,
            variables=variables,
        )
        log.info("agent %s dials %s (%s)", code, e164, action_id)
        return action_id

    async def transfer(self, *, code: str, group: str) -> str:
        """Redirect the customer's leg of the agent's current call to cc-transfer 700N."""
        agent = await self._agent(code)
        async with self._uow() as uow:
            target = await uow.groups.get(slug=group)
        if target is None:
            raise InvalidField(("group",), f"unknown group {group!r}")
        exten = transfer_exten(target.entry_point)
        current = self._current.get(agent.interface.lower())
        if current is None:
            raise Conflict(f"agent {code} has no answered call to transfer")
        pbx_name, linkedid = current
        pbx = self._pbx(pbx_name)
        channel = await pbx.customer_leg(linkedid=linkedid, agent_interface=agent.interface)
        if channel is None:
            raise Conflict(f"call {linkedid} of agent {code} is no longer up")
        await pbx.redirect(channel=channel, exten=exten)
        log.info("agent %s transfers %s (%s) to %s", code, linkedid, channel, group)
        return linkedid

    # -- dispositions ------------------------------------------------------------------------

    async def record_disposition(
        self,
        *,
        code: str,
        linkedid: str,
        disposition: str,
        settled: bool,
        note: str | None,
        by: Principal,
    ) -> DispositionResult:
        """Add the wrap-up code to the call's history (now or once stored).

        Only the agent who handled the call, or a supervisor or admin, may: else Forbidden.
        """
        self.dispositions.check(code=disposition, linkedid=linkedid)
        agent = await self._agent(code)
        answered = self._answered.get(linkedid)
        if by.role not in MANAGERS and answered and agent.interface.lower() not in answered:
            # a call not yet stored, answered by someone else: refused now, not once it lands
            raise Forbidden(
                f"agent {code} did not handle call {linkedid}; "
                "only its agent or a supervisor may change it"
            )
        return await self.dispositions.record(
            Disposition(linkedid, disposition, settled, note, code, by)
        )

    def on_fact(self, fact: Fact) -> None:
        """Follow who is on which call; apply held dispositions once a call is stored."""
        if isinstance(fact, AgentStateChanged):
            self.pending_pauses.agent_state_changed()  # presence was updated before this ran
        elif isinstance(fact, CallAnswered):
            self._current[fact.interface.lower()] = (fact.pbx, fact.linkedid)
            self._answered.setdefault(fact.linkedid, set()).add(fact.interface.lower())
            self._answered.move_to_end(fact.linkedid)
            while len(self._answered) > ANSWERED_KEEP:
                self._answered.popitem(last=False)
        elif isinstance(fact, CallLeftAgent):
            # only the agent the call left is free; whoever took it over stays on it
            if self._current.get(fact.interface.lower()) == (fact.pbx, fact.linkedid):
                del self._current[fact.interface.lower()]
        elif isinstance(fact, CallEnded):
            key = (fact.pbx, fact.linkedid)
            for iface in [i for i, v in self._current.items() if v == key]:
                del self._current[iface]
            self.dispositions.call_ended(fact.linkedid)

    async def aclose(self) -> None:
        """Stop waiting for call records (what is still held is logged)."""
        await self.pending_pauses.aclose()
        await self.dispositions.aclose()

    # -- internals ---------------------------------------------------------------------------

    async def _dial_target(self, *, number: str | None, customer_id: int | None) -> str:
        async with self._uow() as uow:
            if customer_id is not None:
                customer = await uow.customers.get(customer_id=customer_id)
                if customer is None:
                    raise NotFound(f"no customer {customer_id}")
                if customer.do_not_call:
                    raise Conflict(f"customer {customer_id} is on the do-not-call list")
                phones = await uow.phones.for_customer(customer_id=customer_id)
                usable = sorted((p for p in phones if p.e164), key=lambda p: not p.is_primary)
                if not usable:
                    raise InvalidField(("customer_id",), f"customer {customer_id} has no number")
                return str(usable[0].e164)
            parsed = parse_caller_id(number, self._region)
            if parsed.e164 is None:
                raise InvalidField(("number",), f"not a dialable number: {parsed.reason}")
            for owner in await uow.phones.customers_by_e164(e164=parsed.e164):
                full = await uow.customers.get(customer_id=owner.customer.id)
                if full is not None and full.do_not_call:
                    raise Conflict(f"{parsed.e164} belongs to a do-not-call customer")
            return parsed.e164

    async def _agent(self, code: str) -> Agent:
        async with self._uow() as uow:
            agent = await uow.agents.get_by_code(code=code)
        if agent is None:
            raise NotFound(f"no agent {code!r}")
        if not agent.active:
            raise Conflict(f"agent {code} is inactive")
        return agent

    async def _agent_and_queues(self, code: str) -> tuple[Agent, dict[str, str]]:
        agent = await self._agent(code)
        async with self._uow() as uow:
            groups = {g.slug: g.queue for g in await uow.groups.list_all()}
        return agent, {s.group_slug: groups.get(s.group_slug, s.group_slug) for s in agent.skills}

    def _home(self) -> PbxCommands:
        # Agents' phones register with one PBX: the first configured server.
        if not self._pbxs:
            raise PbxUnavailable("no Asterisk server is configured")
        return self._pbx(next(iter(self._pbxs)))

    def _pbx(self, name: str) -> PbxCommands:
        pbx = self._pbxs.get(name)
        if pbx is None or not pbx.connected:
            raise PbxUnavailable(f"not connected to Asterisk {name!r}")
        return pbx
