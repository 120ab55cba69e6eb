"""A reconnect's snapshots (QueueStatus entries, CoreShowChannels) seed the calls already live."""

from __future__ import annotations

from collections.abc import Iterable

from callcenter.domain.calls import events as ev
from callcenter.domain.calls import facts as f
from callcenter.domain.calls.inbound import QueueRules
from callcenter.domain.calls.livecall import LiveCall
from callcenter.domain.calls.state import agent_interface


class ResyncRules(QueueRules):
    """Calls seen first in a snapshot keep what Asterisk's lists say: queue, wait, agent."""

    def close_missing(self, pbx: str, live_linkedids: Iterable[str], at: float) -> list[f.Fact]:
        """End every call of `pbx` the PBX no longer has (after a reconnect's resync)."""
        live = set(live_linkedids)
        gone = [key for key in self._calls if key[0] == pbx and key[1] not in live]
        facts: list[f.Fact] = []
        for key in gone:
            call = self._calls[key]
            call.ended_unseen = True
            facts.extend(self._finish(call, at))
        return facts

    def live(self, pbx: str) -> list[LiveCall]:
        """The calls of one PBX that have not ended (for the journal; do not change them)."""
        return self._calls.of(pbx)

    def changed(self, pbx: str) -> list[LiveCall]:
        """The live calls of one PBX that events may have changed since the last time asked
        (for the journal; do not change them)."""
        return self._calls.take_touched(pbx)

    def restore(self, calls: Iterable[LiveCall]) -> int:
        """Take back calls a previous process journalled; the ones known already are kept.

        Call before the first resync: the calls the PBX no longer has are then closed as
        ended during the outage, the others carry on with what the journal knew.
        """
        taken = 0
        for call in calls:
            key = (call.pbx, call.linkedid)
            if key in self._calls:
                continue
            self._calls[key] = call
            for channel in call.channels:
                self._channel_call[(call.pbx, channel)] = call.linkedid
            taken += 1
        return taken

    def _queue_entry(self, e: ev.QueueEntrySnapshotSeen) -> list[f.Fact]:
        call = self._find(e.pbx, e.channel, e.uniqueid)
        linkedid = call.linkedid if call is not None else e.uniqueid
        if call is not None and e.queue in call.queues:
            return []
        joined = e.at - e.wait_s
        call = call or self._call(e.pbx, linkedid, joined)
        call.resynced = True
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
        since = e.at - e.duration_s
        call = self._call(e.pbx, e.linkedid, since)
        known = e.channel in call.channels
        self._add_channel(call, e.channel)
        call.started_at = min(call.started_at, since)
        self._mark_path(call, e.context, first=e.uniqueid == e.linkedid)
        facts: list[f.Fact] = []
        interface = agent_interface(e.channel)
        if interface is not None and e.bridged and not known:
            facts.extend(self._snapshot_agent(e, interface, since))
        elif interface is not None and not known and e.application == "AppQueue":
            facts.append(self._found(e, interface, ringing=True))  # app_queue rings it now
        elif e.uniqueid == e.linkedid and e.application == "Queue":
            queue = e.application_data.split(",", 1)[0]
            if queue and queue not in call.queues:
                call.resynced = True
                facts.extend(
                    self._join(
                        ev.CallerJoinedQueueSeen(
                            pbx=e.pbx,
                            at=since,
                            linkedid=e.linkedid,
                            channel=e.channel,
                            queue=queue,
                            number=e.number,
                            name=e.name,
                            position=0,
                        )
                    )
                )
                if e.bridged:  # talking already; the agent's own channel may say who with
                    call.in_queue = None
                    if call.answered_at is None:
                        call.answered_at = call.bridged_since = e.at
        self._estimate_wait(e.pbx, e.linkedid)
        return facts

    def _snapshot_agent(
        self, e: ev.ChannelSnapshotSeen, interface: str, since: float
    ) -> list[f.Fact]:
        """An agent leg in a bridge: that agent is talking with the customer (rung at `since`)."""
        call = self._call(e.pbx, e.linkedid, since)
        if call.leg_of(interface) is not None:
            return []
        call.resynced = True
        call.ring_attempts = max(call.ring_attempts, 1)
        name = self._agent_name(e.pbx, interface)
        queue = call.queues[-1] if call.queues else None
        leg = self._start_leg(call, since, interface, name, queue, e.channel)
        leg.resynced = True
        call.in_queue = None
        return [self._found(e, interface, ringing=False)]

    def _found(self, e: ev.ChannelSnapshotSeen, interface: str, *, ringing: bool) -> f.Fact:
        """The pop an agent missed: the caller is the call's, else the agent leg's caller ID
        (app_queue gives the agent's channel the caller's)."""
        call = self._call(e.pbx, e.linkedid, e.at)
        if call.raw_number is None and not call.withheld:
            call.raw_number, call.raw_name = e.number, call.raw_name or e.name
        caller, name = self._caller(call)
        return f.AgentFoundOnCall(
            pbx=e.pbx,
            at=e.at,
            linkedid=e.linkedid,
            agent=self._agent_name(e.pbx, interface),
            interface=interface,
            queue=call.queues[-1] if call.queues else None,
            caller=caller,
            caller_name=name,
            ringing=ringing,
        )

    def _estimate_wait(self, pbx: str, linkedid: str) -> None:
        """Until AgentComplete says better: the wait is from joining the queue to the ring."""
        call = self._calls.get((pbx, linkedid))
        if call is None or call.joined_at is None:
            return
        first = next((leg for leg in call.legs if leg.resynced), None)
        if first is not None:
            call.wait_s = max(0.0, first.start - call.joined_at)
