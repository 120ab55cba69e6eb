"""Queue events: callers joining queues, agents rung and answering, abandons, Redirects."""

from __future__ import annotations

from callcenter.domain.calls import events as ev
from callcenter.domain.calls import facts as f
from callcenter.domain.calls.livecall import CALLBACK_VAR, REQUESTED, Leg, LiveCall
from callcenter.domain.calls.state import TrackerState

# Queue() results that mean the caller never got into the queue at all.
_NOT_ENTERED = frozenset({"FULL", "JOINEMPTY", "JOINUNAVAIL"})


class QueueRules(TrackerState):
    """How queue events change a call."""

    def _offered(self, call: LiveCall, e: ev.CallerJoinedQueueSeen) -> f.Fact:
        caller, name = self._caller(call)
        return f.CallOffered(
            pbx=e.pbx,
            at=e.at,
            linkedid=e.linkedid,
            queue=e.queue,
            caller=caller,
            caller_name=name,
            routing=tuple(sorted(call.routing.items())),
            channel=e.channel,
        )

    def _join(self, e: ev.CallerJoinedQueueSeen) -> list[f.Fact]:
        call = self._call(e.pbx, e.linkedid, e.at)
        self._mark_path(call, e.context)
        self._add_channel(call, e.channel)
        if call.raw_number is None and not call.withheld:
            call.raw_number, call.raw_name = e.number, e.name
        if call.customer_channel not in (None, e.channel) and call.legs:
            # An attended transfer's consultation: its Local `;2` is the new queue's caller.
            call.consult_channels.add(e.channel)
            call.queues.append(e.queue)
            return [self._offered(call, e)]
        facts: list[f.Fact] = []
        leg = call.unsettled_leg()
        if leg is not None:  # a Redirect: the customer's own channel re-joins a queue
            leg.trust_pbx = False  # its AgentComplete is held back and counts the next queue too
            facts.extend(self._leave_agent(call, leg, e.at))
            facts.append(
                f.CallTransferred(
                    pbx=e.pbx,
                    at=e.at,
                    linkedid=e.linkedid,
                    agent=leg.agent,
                    context=e.context,
                    exten=e.exten,
                )
            )
        call.customer_channel = e.channel
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
        if call.first_joined_at is None:
            call.first_joined_at = e.at
        facts.append(self._offered(call, e))
        return facts

    def _ringing(self, e: ev.AgentRingingSeen) -> list[f.Fact]:
        call = self._call(e.pbx, e.linkedid, e.at)
        call.ring_attempts += 1
        call.ringing[e.agent_channel] = (e.interface, e.member_name)
        caller, name = self._caller(call)
        waited = call.wait_s
        if call.joined_at is not None and e.channel not in call.consult_channels:
            waited += e.at - call.joined_at
        return [
            f.RingStarted(
                pbx=e.pbx,
                at=e.at,
                linkedid=e.linkedid,
                agent=self._agent_name(e.pbx, e.interface, e.member_name),
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
                agent=self._agent_name(e.pbx, e.interface, e.member_name),
                interface=e.interface,
                queue=e.queue,
                ring_s=e.ring_s,
            )
        ]

    def _connect(self, e: ev.AgentConnectedSeen) -> list[f.Fact]:
        call = self._call(e.pbx, e.linkedid, e.at)
        name = self._agent_name(e.pbx, e.interface, e.member_name)
        call.ringing.clear()
        if e.channel and e.channel in call.consult_channels:
            # The consulted agent answered: the customer joins them when the transfer completes.
            call.consult_leg = Leg(
                agent=name,
                interface=e.interface,
                queue=e.queue,
                channel=e.agent_channel,
                start=e.at,
                trust_pbx=False,  # its TalkTime counts the consultation with the first agent
            )
            return list(self.agents.apply(e))  # answered for the customer at the transfer
        else:
            call.wait_s += e.hold_s  # the PBX's own count: exact in replays and live alike
            resynced = call.leg_of(e.interface)
            if resynced is None or not resynced.resynced:
                self._start_leg(call, e.at, e.interface, name, e.queue, e.agent_channel)
            call.in_queue = None
        answered: list[f.Fact] = [
            f.CallAnswered(
                pbx=e.pbx,
                at=e.at,
                linkedid=e.linkedid,
                agent=name,
                interface=e.interface,
                queue=e.queue,
                waited_s=call.wait_s,
            )
        ]
        return answered + self.agents.apply(e)

    def _leave(self, e: ev.CallerLeftQueueSeen) -> list[f.Fact]:
        call = self._calls.get((e.pbx, e.linkedid))
        if call is not None and e.channel not in call.consult_channels:
            call.in_queue = None
            if e.channel == call.customer_channel:
                call.left_at = e.at
        return []

    def _abandon(self, e: ev.CallerAbandonedSeen) -> list[f.Fact]:
        call = self._call(e.pbx, e.linkedid, e.at)
        if e.channel in call.consult_channels:
            return []  # a consultation nobody answered: the customer is still with their agent
        call.in_queue = None
        # Also sent on a Queue() timeout or withdrawal: QUEUESTATUS or the hang-up tells which.
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
        if e.status == "WITHDRAW":
            call.withdrawn = True  # QueueWithdrawCaller: the caller asked for a callback
        else:
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
            if call.path is None:
                call.path = "inbound"  # our routing hook only runs for calls at an entry point
            if e.value:
                call.routing[e.name] = e.value
            else:
                call.routing.pop(e.name, None)
            if e.name == CALLBACK_VAR and e.value == REQUESTED:
                return self._pressed_for_callback(call, e)
        return []

    def _pressed_for_callback(self, call: LiveCall, e: ev.RoutingVariableSeen) -> list[f.Fact]:
        """The caller pressed 1 while waiting (app_queue's exit by a `context` digit): the queue
        sent only QueueCallerLeave, no abandon and no QUEUESTATUS; the exit context says why."""
        if call.withdrawn or not call.queues or e.channel != call.customer_channel:
            return []  # said twice, or not the customer's channel
        call.withdrawn = True  # callback_requested like QueueWithdrawCaller (answered if legs)
        left = call.left_at if call.left_at is not None else e.at
        if call.pending_abandon is None and call.joined_at is not None and left >= call.joined_at:
            call.wait_s += left - call.joined_at  # this stint: no HoldTime was sent for it
        call.in_queue = None
        return [
            f.QueueLeftUnanswered(
                pbx=e.pbx,
                at=left,
                linkedid=e.linkedid,
                queue=call.queues[-1],
                reason="keypress",
                waited_s=call.wait_s,
            )
        ]

    def _complete(self, e: ev.AgentCompleteSeen) -> list[f.Fact]:
        call = self._find(e.pbx, e.agent_channel, e.linkedid)
        facts: list[f.Fact] = []
        if call is not None:
            facts.extend(self._settle_leg(call, e))
        return facts + list(self.agents.apply(e))

    def _settle_leg(self, call: LiveCall, e: ev.AgentCompleteSeen) -> list[f.Fact]:
        consult = call.consult_leg
        if consult is not None and consult.interface == e.interface:
            call.consult_leg = None  # a consultation that never became the customer's
            return []
        leg = call.leg_of(e.interface)
        if leg is None:  # we came in mid-call: rebuild from the PBX's counts
            name = self._agent_name(e.pbx, e.interface, e.member_name)
            leg = self._start_leg(
                call, e.at - e.talk_s, e.interface, name, e.queue, e.agent_channel
            )
            call.wait_s += e.hold_s
        elif leg.resynced:  # seen only in a reconnect's snapshot: the PBX's counts are better
            call.wait_s, leg.start, leg.resynced = e.hold_s, e.at - e.talk_s, False
        facts = self._leave_agent(call, leg, e.at) if e.reason == "transfer" else []
        leg.talk = e.talk_s
        if leg.end is None:
            leg.end = e.at
        return facts
