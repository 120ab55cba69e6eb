"""The callback attempts in the air: which item each outbound call settles, and when an attempt
whose agent never picked up is given back.

An attempt has a deadline only until its agent answers: the agent's phone is dialled first, so
an attempt with no `CallAnswered` by the deadline means the agent never took it. Once answered,
the call may last as long as the conversation does; only its `CallEnded` settles it (a wall-clock
deadline there gave answered calls back mid-conversation and had the customer dialled twice)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from callcenter.domain.agents.records import Agent
from callcenter.domain.calls.facts import CallAnswered, CallEnded
from callcenter.ports.work_offers import WorkEntry


@dataclass
class Attempt:
    """One callback attempt: the item, its agent, the number dialled, when it is given back."""

    entry: WorkEntry
    agent: str
    number: str
    deadline: float  # math.inf once the agent answered

    @property
    def answered(self) -> bool:
        return math.isinf(self.deadline)


class AttemptsInFlight:
    """The open attempts by item id (one per item)."""

    def __init__(self) -> None:
        self._open: dict[int, Attempt] = {}

    def __bool__(self) -> bool:
        return bool(self._open)

    def add(self, attempt: Attempt) -> None:
        self._open[attempt.entry.id] = attempt

    def drop(self, item_id: int) -> Attempt | None:
        return self._open.pop(item_id, None)

    def answered(self, fact: CallAnswered, agents: Mapping[str, Agent]) -> Attempt | None:
        """The agent's leg of an attempt was answered: no deadline any more."""
        for attempt in self._open.values():
            agent = agents.get(attempt.agent)
            if attempt.answered or agent is None:
                continue
            if fact.agent in (agent.name, agent.interface) or fact.interface == agent.interface:
                attempt.deadline = math.inf
                return attempt
        return None

    def ended(self, fact: CallEnded, agents: Mapping[str, Agent]) -> tuple[Attempt, bool] | None:
        """The attempt a finished outbound call settles, and whether the customer was dialled
        (False: the agent's own leg ended first, their phone never answered)."""
        record = fact.record
        for attempt in self._open.values():
            if record.caller == attempt.number:
                del self._open[attempt.entry.id]
                return attempt, True
            agent = agents.get(attempt.agent)
            if record.caller is None and agent and record.agent in (agent.name, agent.interface):
                del self._open[attempt.entry.id]
                return attempt, False
        return None

    def overdue(self, now: float) -> list[Attempt]:
        """The attempts whose agent did not answer in time, taken out of the air."""
        late = [a for a in self._open.values() if a.deadline <= now]
        for attempt in late:
            del self._open[attempt.entry.id]
        return late
