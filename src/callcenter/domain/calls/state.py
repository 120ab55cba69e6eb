"""The call tracker's shared state: live calls keyed by (pbx, Linkedid), channels, agents."""

from __future__ import annotations

import re
from collections.abc import Mapping

from callcenter.domain.agents.states import AgentBook
from callcenter.domain.calls import facts as f
from callcenter.domain.calls.livecall import Leg, LiveCall
from callcenter.domain.calls.touched import TouchedCalls

# Dialplan contexts that tell a call's path (the shipped dialplan and the recordings' stand-ins).
INBOUND_CONTEXTS = frozenset({"inbound", "from-trunk", "cc-route", "cc-queue"})
OUTBOUND_CONTEXTS = frozenset({"outbound", "outbound-connect", "amd-outbound"})
AGENT_PHONE_CONTEXT = "agent-phone"  # the agent's own phone, rung first by click-to-dial
# A customer's line dialled by an Originate (the shipped [cc-dial-out], the recordings' pstn-sim)
CUSTOMER_DIAL_CONTEXTS = frozenset({"pstn-sim", "cc-dial-out"})
# An agent's queue interface is Local/10NN@agents/n; its channels Local/10NN@agents-0000001a;1.
_AGENT_CHANNEL = re.compile(r"^(Local/[^@/]+@agents)-[^;/]+;\d$")


def agent_interface(channel: str) -> str | None:
    """The agent interface (`Local/1001@agents/n`) a channel belongs to, if it is an agent leg."""
    match = _AGENT_CHANNEL.match(channel)
    return f"{match.group(1)}/n" if match else None


class TrackerState:
    """Live calls and agents of every PBX; every method is deterministic and does no IO."""

    def __init__(
        self, *, region: str = "CN", queue_wrapup_s: Mapping[str, float] | None = None
    ) -> None:
        self.region = region
        self.agents = AgentBook(queue_wrapup_s=queue_wrapup_s)
        self._calls = TouchedCalls()  # notes the calls handlers reach, for the journal
        self._channel_call: dict[tuple[str, str], str] = {}

    def _call(self, pbx: str, linkedid: str, at: float) -> LiveCall:
        call = self._calls.get((pbx, linkedid))
        if call is None:
            call = self._calls[(pbx, linkedid)] = LiveCall(
                pbx=pbx, linkedid=linkedid, started_at=at
            )
        return call

    def _find(self, pbx: str, channel: str | None, linkedid: str) -> LiveCall | None:
        """The live call a channel belongs to, else the one with this Linkedid."""
        if channel:
            linkedid = self._channel_call.get((pbx, channel), linkedid)
        return self._calls.get((pbx, linkedid))

    def _add_channel(self, call: LiveCall, channel: str) -> None:
        call.channels.add(channel)
        self._channel_call[(call.pbx, channel)] = call.linkedid

    def _agent_name(self, pbx: str, interface: str, name: str | None = None) -> str:
        return name or self.agents.name_for_channel(pbx, interface) or interface

    def _caller(self, call: LiveCall) -> tuple[str | None, str | None]:
        number, name, _ = call.caller(self.region)
        return number, name

    def _mark_path(self, call: LiveCall, context: str, *, first: bool = False) -> None:
        """Learn the call's path from a dialplan context one of its channels is in."""
        if context in INBOUND_CONTEXTS and call.path is None:
            call.path = "inbound"
        elif context in OUTBOUND_CONTEXTS and call.path != "inbound":
            call.path = "outbound"
        elif first and context == AGENT_PHONE_CONTEXT:
            call.path, call.agent_first = "outbound", True
        elif first and context in CUSTOMER_DIAL_CONTEXTS:
            call.path = "outbound"

    def _start_leg(
        self,
        call: LiveCall,
        at: float,
        interface: str,
        name: str,
        queue: str | None,
        channel: str | None,
    ) -> Leg:
        leg = Leg(agent=name, interface=interface, queue=queue, channel=channel, start=at)
        call.legs.append(leg)
        call.agent, call.agent_interface = name, interface
        if call.answered_at is None:
            call.answered_at = at
        return leg

    def _leave_agent(self, call: LiveCall, leg: Leg, at: float) -> list[f.Fact]:
        """The call was transferred away from `leg`'s agent: tell that agent's desktop."""
        call.transferred = True
        if leg.left:
            return []
        leg.left = True
        if leg.end is None:
            leg.end = at
        return [
            f.CallLeftAgent(
                pbx=call.pbx,
                at=at,
                linkedid=call.linkedid,
                agent=leg.agent,
                interface=leg.interface,
                reason="transferred",
                talk_s=leg.talk_s(at),
            )
        ]

    def _finish(self, call: LiveCall, at: float) -> list[f.Fact]:
        facts: list[f.Fact] = []
        if call.pending_abandon is not None:
            facts.append(self._abandoned(call, at))
        del self._calls[(call.pbx, call.linkedid)]
        for channel in call.channels:
            self._channel_call.pop((call.pbx, channel), None)
        # A call first seen from its own channel that ended while nobody watched may have been
        # a customer's all the same: stored (as inbound, ended during the outage), not dropped.
        unseen_caller = call.ended_unseen and call.customer_channel is not None
        if call.spy_leg or (call.path is None and not call.queues and not unseen_caller):
            return []  # a supervisor's ChanSpy leg, or a channel that never was a customer call
        if call.path is None:
            call.path = "inbound"  # went through a queue without a known context: an entry point
        self._name_agents(call)
        record = call.finish(at, self.region)
        facts.append(
            f.CallEnded(
                pbx=call.pbx,
                at=at,
                linkedid=call.linkedid,
                record=record,
                customer_channel=call.customer_channel,
                agent_interface=call.agent_interface,
                queued_at=call.first_joined_at,
            )
        )
        return facts

    def _name_agents(self, call: LiveCall) -> None:
        """Agents first known only by a channel get their names if the member list knows them."""
        for leg in call.legs:
            if "/" in leg.agent:
                leg.agent = self.agents.name_for_channel(call.pbx, leg.interface) or leg.agent
        if call.agent is not None and "/" in call.agent and call.agent_interface:
            call.agent = self.agents.name_for_channel(call.pbx, call.agent_interface) or call.agent

    def _abandoned(self, call: LiveCall, at: float) -> f.Fact:
        assert call.pending_abandon is not None
        queue, hold = call.pending_abandon
        call.pending_abandon = None
        call.wait_s += hold
        call.abandoned = True
        return f.CallAbandoned(
            pbx=call.pbx, at=at, linkedid=call.linkedid, queue=queue, waited_s=call.wait_s
        )
