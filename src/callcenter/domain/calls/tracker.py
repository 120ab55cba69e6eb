"""The call state machine: domain events in, call and agent facts out; keyed by (pbx, Linkedid)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from callcenter.domain.calls import events as ev
from callcenter.domain.calls import facts as f
from callcenter.domain.agents import AgentBook
from callcenter.domain.calls.livecall import LiveCall

# Queue() results that mean the caller never got into the queue at all.
_NOT_ENTERED = frozenset({"FULL", "JOINEMPTY", "JOINUNAVAIL"})


class CallTracker:
    """Live calls and agents of every PBX; `apply` is deterministic and does no IO."""

    def __init__(
        self, *, region: str = "CN", queue_wrapup_s: Mapping[str, float] | None = None
    ) -> None:
        self.region = region
        self.agents = AgentBook(queue_wrapup_s=queue_wrapup_s)
        self._calls: dict[tuple[str, str], LiveCall] = {}
        self._channel_call: dict[tuple[str, str], str] = {}
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
            ev.DialBeginSeen: self._outbound_dial,
            ev.DialEndSeen: self._dial_answered,
            ev.OriginateResponseSeen: self._originate,
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

    def close_missing(self, pbx: str, live_linkedids: Iterable[str], at: float) -> list[f.Fact]:
        """End every call of `pbx` the PBX no longer has (after a reconnect's resync)."""
        live = set(live_linkedids)
        gone = [key for key in self._calls if key[0] == pbx and key[1] not in live]
        facts: list[f.Fact] = []
        for key in gone:
            facts.extend(self._finish(self._calls[key], at))
        return facts

    def tick(self, at: float) -> list[f.Fact]:
        """Time-driven facts (agents leaving wrap-up)."""
        return list(self.agents.tick(at))

    # -- helpers ---------------------------------------------------------------------------

    def _call(self, pbx: str, linkedid: str, at: float) -> LiveCall:
        call = self._calls.get((pbx, linkedid))
        if call is None:
            call = self._calls[(pbx, linkedid)] = LiveCall(
                pbx=pbx, linkedid=linkedid, started_at=at
            )
        return call

    def _add_channel(self, call: LiveCall, channel: str) -> None:
        call.channels.add(channel)
        self._channel_call[(call.pbx, channel)] = call.linkedid

    def _finish(self, call: LiveCall, at: float) -> list[f.Fact]:
        facts: list[f.Fact] = []
        if call.pending_abandon is not None:
            facts.append(self._abandoned(call, at))
        del self._calls[(call.pbx, call.linkedid)]
        for channel in call.channels:
            self._channel_call.pop((call.pbx, channel), None)
        record = call.finish(at, self.region)
        facts.append(
            f.CallEnded(
                pbx=call.pbx,
                at=at,
                linkedid=call.linkedid,
                record=record,
                customer_channel=call.customer_channel,
                agent_interface=call.agent_interface,
            )
        )
        return facts

    def _abandoned(self, call: LiveCall, at: float) -> f.Fact:
        assert call.pending_abandon is not None
        queue, hold = call.pending_abandon
        call.pending_abandon = None
        call.wait_s += hold
        call.abandoned = True
        return f.CallAbandoned(
            pbx=call.pbx, at=at, linkedid=call.linkedid, queue=queue, waited_s=call.wait_s
        )

    def _caller(self, call: LiveCall) -> tuple[str | None, str | None]:
        return call.caller(self.region)

    # -- channel events --------------------------------------------------------------------

    def _created(self, e: ev.ChannelCreatedSeen) -> list[f.Fact]:
        call = self._call(e.pbx, e.linkedid, e.at)
        self._add_channel(call, e.channel)
        if e.uniqueid == e.linkedid and call.customer_channel is None:
            call.customer_channel = e.channel  # the first leg; an outbound dial moves it
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
        facts: list[f.Fact] = []
        if e.channel == call.customer_channel and call.pending_abandon is not None:
            facts.append(self._abandoned(call, e.at))
        if not call.channels:
            facts.extend(self._finish(call, e.at))
        return facts

    # -- queue events ----------------------------------------------------------------------

    def _join(self, e: ev.CallerJoinedQueueSeen) -> list[f.Fact]:
        call = self._call(e.pbx, e.linkedid, e.at)
        call.customer_channel = e.channel
        self._add_channel(call, e.channel)
        if call.raw_number is None and not call.withheld:
            call.raw_number, call.raw_name = e.number, e.name
        facts: list[f.Fact] = []
        from_queue = call.left_unanswered
        if call.pending_abandon is not None:  # left without a QUEUESTATUS, yet still here
            from_queue = call.pending_abandon[0]
            call.wait_s += call.pending_abandon[1]
            call.pending_abandon = None
        if from_queue is not None:
            call.left_unanswered = None
            facts.append(
                f.CallOverflowed(
                    pbx=e.pbx, at=e.at, linkedid=e.linkedid, from_queue=from_queue, to_queue=e.queue
                )
            )
        call.queues.append(e.queue)
        call.in_queue, call.joined_at = e.queue, e.at
        caller, name = self._caller(call)
        facts.append(
            f.CallOffered(
                pbx=e.pbx,
                at=e.at,
                linkedid=e.linkedid,
                queue=e.queue,
                caller=caller,
                caller_name=name,
            )
        )
        return facts

    def _ringing(self, e: ev.AgentRingingSeen) -> list[f.Fact]:
        call = self._call(e.pbx, e.linkedid, e.at)
        call.ring_attempts += 1
        call.ringing[e.agent_channel] = (e.interface, e.member_name)
        caller, name = self._caller(call)
        waited = call.wait_s + (e.at - call.joined_at if call.joined_at is not None else 0.0)
        return [
            f.RingStarted(
                pbx=e.pbx,
                at=e.at,
                linkedid=e.linkedid,
                agent=e.member_name or e.interface,
                interface=e.interface,
                queue=e.queue,
                caller=caller,
                caller_name=name,
                waited_s=max(0.0, waited),
                routing=tuple(sorted(call.routing.items())),
            )
        ]

    def _ring_no_answer(self, e: ev.AgentRingNoAnswerSeen) -> list[f.Fact]:
        call = self._calls.get((e.pbx, e.linkedid))
        if call is not None:
            call.ringing.pop(e.agent_channel, None)
        return [
            f.RingNoAnswer(
                pbx=e.pbx,
                at=e.at,
                linkedid=e.linkedid,
                agent=e.member_name or e.interface,
                interface=e.interface,
                queue=e.queue,
                ring_s=e.ring_s,
            )
        ]

    def _connect(self, e: ev.AgentConnectedSeen) -> list[f.Fact]:
        call = self._call(e.pbx, e.linkedid, e.at)
        if call.answered_at is None:
            call.answered_at = e.at
        call.wait_s += e.hold_s  # the PBX's own count: exact in replays and live alike
        call.agent, call.agent_interface = e.member_name or e.interface, e.interface
        call.talking_since, call.in_queue = e.at, None
        call.ringing.clear()
        answered: list[f.Fact] = [
            f.CallAnswered(
                pbx=e.pbx,
                at=e.at,
                linkedid=e.linkedid,
                agent=call.agent,
                interface=e.interface,
                queue=e.queue,
                waited_s=call.wait_s,
            )
        ]
        return answered + self.agents.apply(e)

    def _leave(self, e: ev.CallerLeftQueueSeen) -> list[f.Fact]:
        call = self._calls.get((e.pbx, e.linkedid))
        if call is not None:
            call.in_queue = None
        return []

    def _abandon(self, e: ev.CallerAbandonedSeen) -> list[f.Fact]:
        call = self._call(e.pbx, e.linkedid, e.at)
        call.in_queue = None
        # Also sent on a Queue() timeout: wait for QUEUESTATUS or the caller's hang-up to tell.
        call.pending_abandon = (e.queue, e.hold_s)
        if call.customer_channel is not None and call.customer_channel not in call.channels:
            return [self._abandoned(call, e.at)]
        return []

    def _queue_result(self, e: ev.QueueResultSeen) -> list[f.Fact]:
        call = self._calls.get((e.pbx, e.linkedid))
        if call is None or e.channel != call.customer_channel:
            return []
        if call.pending_abandon is not None:
            queue, hold = call.pending_abandon
            call.pending_abandon = None
            call.wait_s += hold
        elif e.status in _NOT_ENTERED:
            queue = call.routing.get("CC_QUEUE", "")
        else:
            return []
        call.left_unanswered = queue
        return [
            f.QueueLeftUnanswered(
                pbx=e.pbx,
                at=e.at,
                linkedid=e.linkedid,
                queue=queue,
                reason=e.status.lower(),
                waited_s=call.wait_s,
            )
        ]

    def _routing(self, e: ev.RoutingVariableSeen) -> list[f.Fact]:
        call = self._calls.get((e.pbx, e.linkedid))
        if call is not None:
            if e.value:
                call.routing[e.name] = e.value
            else:
                call.routing.pop(e.name, None)
        return []

    def _transfer(self, e: ev.TransferSeen) -> list[f.Fact]:
        call = self._calls.get((e.pbx, e.linkedid))
        if call is None or not e.success:
            return []
        call.transferred = True
        return [
            f.CallTransferred(
                pbx=e.pbx,
                at=e.at,
                linkedid=e.linkedid,
                agent=call.agent,
                context=e.context,
                exten=e.exten,
            )
        ]

    def _complete(self, e: ev.AgentCompleteSeen) -> list[f.Fact]:
        linkedid = self._channel_call.get((e.pbx, e.agent_channel), e.linkedid)
        call = self._calls.get((e.pbx, linkedid))
        if call is not None:
            if call.answered_at is None:  # we came in mid-call: rebuild from the PBX's counts
                call.answered_at = e.at - e.talk_s
                call.wait_s += e.hold_s
                call.agent, call.agent_interface = e.member_name or e.interface, e.interface
            call.talk_s += e.talk_s
            call.talking_since = None
            call.transferred = call.transferred or e.reason == "transfer"
        return list(self.agents.apply(e))

    # -- outbound --------------------------------------------------------------------------

    def _originate(self, e: ev.OriginateResponseSeen) -> list[f.Fact]:
        linkedid = self._channel_call.get((e.pbx, e.channel), e.uniqueid)
        call = self._calls.get((e.pbx, linkedid))
        if call is not None and not call.queues:
            call.outbound, call.originator = True, e.channel
        return []

    def _outbound_dial(self, e: ev.DialBeginSeen) -> list[f.Fact]:
        call = self._calls.get((e.pbx, e.linkedid))
        if call is None or call.queues or call.dialled is not None:
            return []  # a queue ringing its agents, or a second dial of the same call
        agent = self.agents.name_for_channel(e.pbx, e.channel)
        # Outbound when we originated it, or an agent's own phone started the call.
        if not call.outbound and not (e.channel == call.customer_channel and agent):
            return []
        call.outbound, call.originator = True, e.channel
        call.dialled, call.customer_channel = e.number, e.dest_channel
        call.agent = agent or e.channel.rsplit("-", 1)[0]
        call.agent_interface = e.channel
        return []

    def _dial_answered(self, e: ev.DialEndSeen) -> list[f.Fact]:
        call = self._calls.get((e.pbx, e.linkedid))
        if call is None or not call.outbound or e.dest_channel != call.customer_channel:
            return []
        if call.answered_at is None:
            call.answered_at = call.talking_since = e.at
        return [
            f.CallAnswered(
                pbx=e.pbx,
                at=e.at,
                linkedid=e.linkedid,
                agent=call.agent or "",
                interface=call.agent_interface or "",
                queue="",
                waited_s=0.0,
            )
        ]

    # -- resync snapshots ------------------------------------------------------------------

    def _queue_entry(self, e: ev.QueueEntrySnapshotSeen) -> list[f.Fact]:
        linkedid = self._channel_call.get((e.pbx, e.channel), e.uniqueid)
        call = self._calls.get((e.pbx, linkedid))
        if call is not None and e.queue in call.queues:
            return []
        joined = e.at - e.wait_s
        call = call or self._call(e.pbx, linkedid, joined)
        return self._join(
            ev.CallerJoinedQueueSeen(
                pbx=e.pbx,
                at=joined,
                linkedid=linkedid,
                channel=e.channel,
                queue=e.queue,
                number=e.number,
                name=e.name,
                position=e.position,
            )
        )

    def _channel_snapshot(self, e: ev.ChannelSnapshotSeen) -> list[f.Fact]:
        call = self._call(e.pbx, e.linkedid, e.at - e.duration_s)
        self._add_channel(call, e.channel)
        if e.uniqueid != e.linkedid or e.application != "Queue":
            return []
        queue = e.application_data.split(",", 1)[0]
        if not queue or queue in call.queues:
            return []
        facts = self._join(
            ev.CallerJoinedQueueSeen(
                pbx=e.pbx,
                at=e.at - e.duration_s,
                linkedid=e.linkedid,
                channel=e.channel,
                queue=queue,
                number=e.number,
                name=e.name,
                position=0,
            )
        )
        if e.bridged and call.answered_at is None:  # talking already; the agent shows up later
            call.answered_at = call.talking_since = e.at
            call.in_queue = None
        return facts
