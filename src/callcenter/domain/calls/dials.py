"""Dials outside a queue: a preferred agent rung directly, and calls placed to customers."""

from __future__ import annotations

from callcenter.domain.calls import events as ev
from callcenter.domain.calls import facts as f
from callcenter.domain.calls.livecall import ORIGINATE_OUTCOMES, Leg, LiveCall
from callcenter.domain.calls.state import (
    AGENT_PHONE_CONTEXT,
    OUTBOUND_CONTEXTS,
    TrackerState,
    agent_interface,
)


class DialRules(TrackerState):
    """DialBegin / DialEnd / DIALSTATUS / OriginateResponse."""

    def _dial_begin(self, e: ev.DialBeginSeen) -> list[f.Fact]:
        call = self._find(e.pbx, e.channel, e.linkedid)
        if call is None or e.channel is None or e.dest_channel in call.ringing:
            return []  # an Originate's own first leg, or a queue ringing its agent
        if e.context == AGENT_PHONE_CONTEXT:
            return []  # click-to-dial's `[agent-phone]` ringing the agent's own device first
        self._mark_path(call, e.context)
        interface = agent_interface(e.dest_channel)
        if interface is not None and not call.agent_first:
            return self._direct_ring(call, e, interface)
        if call.outbound and call.dialled is None and not call.queues:
            call.dialled = e.number or e.dial_string.split("@", 1)[0]
            call.customer_channel = e.dest_channel
            if call.agent is None:
                call.agent = (
                    self.agents.name_for_channel(e.pbx, e.channel) or (e.channel.rsplit("-", 1)[0])
                )
                call.agent_interface = e.channel
        return []

    def _direct_ring(self, call: LiveCall, e: ev.DialBeginSeen, interface: str) -> list[f.Fact]:
        """A Dial() straight to an agent: a preferred agent before the queue, or a consultation."""
        name = self._agent_name(e.pbx, interface)
        call.ring_attempts += 1
        call.direct[e.dest_channel] = (interface, name, e.at)
        self._add_channel(call, e.dest_channel)
        if e.channel not in (call.customer_channel, None) and call.legs:
            call.consult_channels.add(e.channel or "")
        caller, caller_name = self._caller(call)
        return [
            f.RingStarted(
                pbx=e.pbx,
                at=e.at,
                linkedid=call.linkedid,
                agent=name,
                interface=interface,
                queue="",
                caller=caller,
                caller_name=caller_name,
                waited_s=call.wait_s,
                routing=tuple(sorted(call.routing.items())),
            )
        ]

    def _dial_end(self, e: ev.DialEndSeen) -> list[f.Fact]:
        call = self._find(e.pbx, e.channel, e.linkedid)
        if call is None:
            return []
        direct = call.direct.pop(e.dest_channel, None)
        if direct is not None:
            return self._direct_result(call, e, *direct)
        answered = e.status == "ANSWER"
        if e.channel is None:  # the Originate's own first leg
            if call.outbound and not call.agent_first:
                call.customer_answered = call.customer_answered or answered
                call.set_dial_outcome(e.status)
            return []
        if not call.outbound or e.dest_channel != call.customer_channel:
            return []
        call.set_dial_outcome(e.status)
        if not answered or call.legs:
            return []
        call.customer_answered = True
        leg = self._start_leg(
            call, e.at, call.agent_interface or e.channel, call.agent or e.channel, None, e.channel
        )
        return [
            f.CallAnswered(
                pbx=e.pbx,
                at=e.at,
                linkedid=call.linkedid,
                agent=leg.agent,
                interface=leg.interface,
                queue="",
                waited_s=0.0,
            )
        ]

    def _direct_result(
        self, call: LiveCall, e: ev.DialEndSeen, interface: str, name: str, since: float
    ) -> list[f.Fact]:
        consult = e.channel in call.consult_channels
        if e.status != "ANSWER":
            if not consult:
                call.wait_s += max(0.0, e.at - since)  # a preferred agent's ring is waiting too
            return [
                f.RingNoAnswer(
                    pbx=e.pbx,
                    at=e.at,
                    linkedid=call.linkedid,
                    agent=name,
                    interface=interface,
                    queue="",
                    ring_s=max(0.0, e.at - since),
                )
            ]
        if consult:  # answered for the customer once the attended transfer completes
            call.consult_leg = Leg(name, interface, None, e.dest_channel, e.at, trust_pbx=False)
            return []
        call.wait_s += max(0.0, e.at - since)
        self._start_leg(call, e.at, interface, name, None, e.dest_channel)
        call.in_queue = None
        call.ringing.clear()
        return [
            f.CallAnswered(
                pbx=e.pbx,
                at=e.at,
                linkedid=call.linkedid,
                agent=name,
                interface=interface,
                queue="",
                waited_s=call.wait_s,
            )
        ]

    def _dial_status(self, e: ev.DialStatusSeen) -> list[f.Fact]:
        call = self._find(e.pbx, e.channel, e.linkedid)
        if call is None:
            return []
        self._mark_path(call, e.context)
        if call.outbound and not call.legs:
            call.set_dial_outcome(e.status)
            if call.dialled is None and e.context in OUTBOUND_CONTEXTS and e.exten:
                call.dialled = e.exten
        return []

    def _originate_response(self, e: ev.OriginateResponseSeen) -> list[f.Fact]:
        # Any AMI client's Originate: it tells the path and a failure's reason, never whose call.
        call: LiveCall | None = None
        if e.uniqueid is not None:
            call = self._find(e.pbx, e.channel, e.uniqueid)
        elif not e.success:  # Channel is the dial string as sent: match the Local pair it made
            prefix = e.channel.removesuffix("/n") + "-"
            call = next(
                (
                    c
                    for (pbx, _), c in self._calls.items()
                    if pbx == e.pbx and (c.customer_channel or "").startswith(prefix)
                ),
                None,
            )
        if call is None:
            return []
        self._mark_path(call, e.context)
        if not e.success and call.dial_outcome is None:
            call.dial_outcome = ORIGINATE_OUTCOMES.get(e.reason, "failed")
        return []
