"""Live agent presence per group, folded from agent facts; feeds the router and the wallboard."""

from __future__ import annotations

from dataclasses import dataclass

from callcenter.domain.calls.facts import AgentStateChanged
from callcenter.domain.routing.inputs import GroupStaff

BUSY_STATES = frozenset({"ringing", "on_call", "wrap_up"})


@dataclass(frozen=True)
class AgentPresence:
    """One agent's state as last reported by the PBX."""

    code: str
    name: str | None
    state: str
    reason: str | None
    queues: tuple[str, ...]
    paused_in: tuple[str, ...]
    since: float


class PresenceBoard:
    """Agent code -> presence; pure, updated from AgentStateChanged facts."""

    def __init__(self) -> None:
        self._agents: dict[str, AgentPresence] = {}

    def apply(self, fact: AgentStateChanged, code: str, name: str | None = None) -> AgentPresence:
        """Record an agent's new state (and name, if known); keeps when it entered that state."""
        old = self._agents.get(code)
        since = old.since if old is not None and old.state == fact.state else fact.at
        presence = AgentPresence(
            code=code,
            name=name or fact.member_name or (old.name if old else None),
            state=fact.state,
            reason=fact.reason,
            queues=fact.queues,
            paused_in=fact.paused_in,
            since=since,
        )
        self._agents[code] = presence
        return presence

    def get(self, code: str) -> AgentPresence | None:
        """The agent's last known presence."""
        return self._agents.get(code)

    def all(self) -> list[AgentPresence]:
        """Every agent seen, by code."""
        return [self._agents[c] for c in sorted(self._agents)]

    def live_agents(self) -> dict[str, GroupStaff]:
        """Per group: who is logged in, paused and busy — the router's view of the floor."""
        logged: dict[str, set[str]] = {}
        paused: dict[str, set[str]] = {}
        busy: dict[str, set[str]] = {}
        for agent in self._agents.values():
            if agent.state == "logged_out":
                continue
            for queue in agent.queues:
                logged.setdefault(queue, set()).add(agent.code)
                if queue in agent.paused_in or agent.state == "paused":
                    paused.setdefault(queue, set()).add(agent.code)
                if agent.state in BUSY_STATES:
                    busy.setdefault(queue, set()).add(agent.code)
        return {
            queue: GroupStaff(
                logged_in=frozenset(codes),
                paused=frozenset(paused.get(queue, ())),
                busy=frozenset(busy.get(queue, ())),
            )
            for queue, codes in logged.items()
        }
