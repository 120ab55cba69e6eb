"""The call state machine: domain events in, call and agent facts out; keyed by (pbx, Linkedid)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from callcenter.domain.calls import events as ev
from callcenter.domain.calls import facts as f
from callcenter.domain.calls.dials import DialRules
from callcenter.domain.calls.livecall import CAUSE_OUTCOMES
from callcenter.domain.calls.monitoring import MonitorRules
from callcenter.domain.calls.resync import ResyncRules
from callcenter.domain.calls.transfers import TransferRules


class CallTracker(ResyncRules, TransferRules, DialRules, MonitorRules):
    """Live calls and agents of every PBX; `apply` is deterministic and does no IO."""

    def __init__(
        self, *, region: str = "CN", queue_wrapup_s: Mapping[str, float] | None = None
    ) -> None:
        super().__init__(region=region, queue_wrapup_s=queue_wrapup_s)
        self._handlers: dict[type[Any], Callable[[Any], list[f.Fact]]] = {
            ev.ChannelCreatedSeen: self._created,
            ev.CallerIdSeen: self._callerid,
            ev.ChannelHungUpSeen: self._hangup,
            ev.CallerJoinedQueueSeen: self._join,
            ev.AgentRingingSeen: self._ringing,
            ev.AgentRingNoAnswerSeen: self._ring_no_answer,
            ev.AgentConnectedSeen: self._connect,
            ev.CallerLeftQueueSeen: self._leave,
            ev.CallerAbandonedSeen: self._abandon,
            ev.QueueResultSeen: self._queue_result,
            ev.RoutingVariableSeen: self._routing,
            ev.TransferSeen: self._transfer,
            ev.AgentCompleteSeen: self._complete,
            ev.DialBeginSeen: self._dial_begin,
            ev.DialEndSeen: self._dial_end,
            ev.DialStatusSeen: self._dial_status,
            ev.OriginateResponseSeen: self._originate_response,
            ev.AmdResultSeen: self._amd,
            ev.SpyStartedSeen: self._spy,
            ev.KeyPressedSeen: self._key,
            ev.RecordingSeen: self._recording,
            ev.QueueEntrySnapshotSeen: self._queue_entry,
            ev.ChannelSnapshotSeen: self._channel_snapshot,
        }
        for member_event in (
            ev.MemberAddedSeen,
            ev.MemberRemovedSeen,
            ev.MemberPausedSeen,
            ev.MemberStatusSeen,
            ev.MemberPenaltySeen,
            ev.QueueMemberSnapshotSeen,
        ):
            self._handlers[member_event] = self.agents.apply  # type: ignore[assignment]

    def apply(self, event: ev.DomainEvent) -> list[f.Fact]:
        """The facts one event establishes (often none)."""
        handler = self._handlers.get(type(event))
        return handler(event) if handler is not None else []

    def live_calls(self, pbx: str) -> list[str]:
        """Linkedids of the calls of one PBX that have not ended."""
        return [linkedid for (p, linkedid) in self._calls if p == pbx]

    def tick(self, at: float) -> list[f.Fact]:
        """Time-driven facts (agents leaving wrap-up)."""
        return list(self.agents.tick(at))

    # -- channel events --------------------------------------------------------------------

    def _created(self, e: ev.ChannelCreatedSeen) -> list[f.Fact]:
        call = self._call(e.pbx, e.linkedid, e.at)
        self._add_channel(call, e.channel)
        first = e.uniqueid == e.linkedid
        self._mark_path(call, e.context, first=first)
        if first and call.customer_channel is None:
            call.customer_channel = e.channel  # the first leg; an outbound dial moves it
            if call.agent_first:  # the agent's own phone rang first: the call is theirs
                call.agent = (
                    self.agents.name_for_channel(e.pbx, e.channel) or (e.channel.rsplit("-", 1)[0])
                )
                call.agent_interface = e.channel
            elif call.outbound and e.exten:
                call.dialled = e.exten  # a customer's line dialled first
        return []

    def _callerid(self, e: ev.CallerIdSeen) -> list[f.Fact]:
        call = self._calls.get((e.pbx, e.linkedid))
        # Only the customer's own leg: agent legs may carry the dialled entry point instead.
        if call is not None and not call.outbound and e.channel == call.customer_channel:
            call.raw_number, call.raw_name, call.withheld = e.number, e.name, e.withheld
        return []

    def _hangup(self, e: ev.ChannelHungUpSeen) -> list[f.Fact]:
        call = self._calls.get((e.pbx, e.linkedid))
        if call is None:
            return []
        call.channels.discard(e.channel)
        self._channel_call.pop((e.pbx, e.channel), None)
        if call.outbound and call.dial_outcome is None and e.cause in CAUSE_OUTCOMES:
            call.dial_outcome = CAUSE_OUTCOMES[e.cause]
        for leg in call.legs:
            if leg.channel == e.channel and leg.end is None:
                leg.end = e.at  # the agent's leg is gone (a Redirect holds AgentComplete back)
        facts: list[f.Fact] = []
        if e.channel == call.customer_channel and call.pending_abandon is not None:
            facts.append(self._abandoned(call, e.at))
        if not call.channels:
            facts.extend(self._finish(call, e.at))
        return facts
