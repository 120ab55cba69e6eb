"""Agent state from queue-member events: available, ringing, on call, wrap-up, paused, out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from callcenter.domain.calls import events as ev
from callcenter.domain.calls.facts import AgentStateChanged

AGENT_STATES: tuple[str, ...] = (
    "available",
    "ringing",
    "on_call",
    "wrap_up",
    "paused",
    "logged_out",
)
# app_queue device states: 2 in use, 3 busy, 4 invalid, 5 unavailable, 6 ringing,
# 7 ringing while in use, 8 on hold
_RINGING = frozenset({6, 7})
_BUSY = frozenset({2, 3, 8})
_UNREACHABLE = frozenset({4, 5})

MemberEvent = (
    ev.MemberAddedSeen
    | ev.MemberRemovedSeen
    | ev.MemberPausedSeen
    | ev.MemberStatusSeen
    | ev.MemberPenaltySeen
    | ev.QueueMemberSnapshotSeen
    | ev.AgentConnectedSeen
    | ev.AgentCompleteSeen
)


def device_key(channel_or_interface: str) -> str:
    """The extension of an interface or channel: `Local/1006@agents/n`, `PJSIP/1006-0a` -> 1006."""
    _, _, rest = channel_or_interface.partition("/")
    for stop in ("@", "-", ";", "/"):
        rest = rest.split(stop, 1)[0]
    return rest


@dataclass
class _Membership:
    paused: bool = False
    reason: str | None = None
    penalty: int = 0
    wrapup_s: float = 0.0


@dataclass
class _Agent:
    interface: str
    member_name: str | None = None
    queues: dict[str, _Membership] = field(default_factory=dict)
    device_state: int = 1
    in_call: bool = False
    wrapup_until: float = 0.0
    shown: tuple[str, str | None, tuple[str, ...], tuple[str, ...]] | None = None


class AgentBook:
    """Every agent interface seen per PBX, and the state last reported for it."""

    def __init__(self, *, queue_wrapup_s: Mapping[str, float] | None = None) -> None:
        # A queue's wrapuptime is not in member events; the caller may know it from config.
        self._queue_wrapup = dict(queue_wrapup_s or {})
        self._agents: dict[tuple[str, str], _Agent] = {}
        self._by_key: dict[tuple[str, str], _Agent] = {}

    def name_for_channel(self, pbx: str, channel: str) -> str | None:
        """The member name of the agent whose extension a channel belongs to, if known."""
        agent = self._by_key.get((pbx, device_key(channel)))
        return agent.member_name if agent else None

    def apply(self, event: MemberEvent) -> list[AgentStateChanged]:
        """Update one agent from a member or agent event; a fact when its shown state changed."""
        agent = self._agent(event.pbx, event.interface)
        name = getattr(event, "member_name", None)
        if name:
            agent.member_name = name
        queue = event.queue
        if isinstance(event, ev.MemberRemovedSeen):
            agent.queues.pop(queue, None)
            if not agent.queues:  # re-added members have no last call: wrap-up is over
                agent.wrapup_until = 0.0
        elif isinstance(event, ev.AgentConnectedSeen):
            agent.in_call = True
        elif isinstance(event, ev.AgentCompleteSeen):
            agent.in_call = False
            membership = agent.queues.get(queue)
            wrapup = membership.wrapup_s if membership is not None else 0.0
            wrapup = wrapup or self._queue_wrapup.get(queue, 0.0)
            if wrapup > 0:
                agent.wrapup_until = event.at + wrapup
        else:
            membership = agent.queues.setdefault(queue, _Membership())
            if isinstance(event, ev.MemberPenaltySeen):
                membership.penalty = event.penalty
            else:
                membership.paused = event.paused
                membership.reason = event.reason if event.paused else None
            if isinstance(event, ev.MemberAddedSeen):
                membership.penalty = event.penalty
            elif isinstance(event, ev.MemberStatusSeen | ev.QueueMemberSnapshotSeen):
                membership.penalty = event.penalty
                agent.device_state = event.device_state
                agent.in_call = event.in_call
                if isinstance(event, ev.MemberStatusSeen):
                    membership.wrapup_s = event.wrapup_s
        return self._report(event.pbx, agent, event.at)

    def tick(self, at: float) -> list[AgentStateChanged]:
        """Facts for agents whose wrap-up time ran out by `at` (call this about once a second)."""
        facts: list[AgentStateChanged] = []
        for (pbx, _), agent in self._agents.items():
            if agent.wrapup_until and agent.wrapup_until <= at:
                facts.extend(self._report(pbx, agent, at))
        return facts

    def _agent(self, pbx: str, interface: str) -> _Agent:
        agent = self._agents.get((pbx, interface))
        if agent is None:
            agent = self._agents[(pbx, interface)] = _Agent(interface)
            self._by_key[(pbx, device_key(interface))] = agent
        return agent

    def _report(self, pbx: str, agent: _Agent, at: float) -> list[AgentStateChanged]:
        if agent.wrapup_until and agent.wrapup_until <= at:
            agent.wrapup_until = 0.0
        queues = tuple(sorted(agent.queues))
        paused_in = tuple(q for q in queues if agent.queues[q].paused)
        reason: str | None = None
        if not queues or agent.device_state in _UNREACHABLE:
            state = "logged_out"
        elif agent.device_state in _RINGING:
            state = "ringing"
        elif agent.in_call or agent.device_state in _BUSY:
            state = "on_call"
        elif agent.wrapup_until:
            state = "wrap_up"
        elif paused_in and len(paused_in) == len(queues):
            # Paused only when no queue can offer a call; a partial pause is per-queue detail.
            state = "paused"
            reason = next(
                (agent.queues[q].reason for q in paused_in if agent.queues[q].reason), None
            )
        else:
            state = "available"
        shown = (state, reason, queues, paused_in)
        if shown == agent.shown:
            return []
        agent.shown = shown
        return [
            AgentStateChanged(
                pbx=pbx,
                at=at,
                interface=agent.interface,
                member_name=agent.member_name,
                state=state,
                reason=reason,
                queues=queues,
                paused_in=paused_in,
            )
        ]
