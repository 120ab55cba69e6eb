"""Agents log in to and out of work-item groups, apart from the voice queues.

Any process serves the request: the choice is stored (it survives a restart), then every
listener is told the agent's code at once — the offering loop of this process, and the bus,
which carries it to the process that offers (it re-reads the logins and runs a pass).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from callcenter.domain.access.auth import Principal
from callcenter.domain.agents.presence import PresenceBoard
from callcenter.domain.agents.records import Agent
from callcenter.domain.work_login import refused_group, work_groups
from callcenter.ports.uow import UowFactory
from callcenter.ports.work_logins import WorkLoginStore
from callcenter.services.errors import Conflict, InvalidField, NotFound

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkGroupState:
    """One skill group of the agent: logged in to its work items or not, and why."""

    group: str
    logged_in: bool
    chosen: bool | None  # the agent's own choice; None: follows the voice queue


class WorkLogin:
    """`login`, `logout` and `state` of an agent's work groups."""

    def __init__(
        self,
        *,
        uow: UowFactory,
        store: WorkLoginStore,
        presence: PresenceBoard,
        follows_queues: bool = True,
        publish: Callable[[str], Awaitable[bool]] | None = None,
        clock: Callable[[], float] = lambda: datetime.now(UTC).timestamp(),
    ) -> None:
        self._uow = uow
        self._store = store
        self._presence = presence
        self.follows_queues = follows_queues
        self._publish = publish  # scaled out: tells the other processes (the bus)
        self._clock = clock
        self.listeners: list[Callable[[str], None]] = []  # told the code of who changed

    async def login(
        self, *, code: str, groups: Sequence[str] | None, by: Principal
    ) -> list[WorkGroupState]:
        """Log the agent in to `groups` (default: every skill group); offers follow at once."""
        return await self._choose(code, groups, logged_in=True, by=by)

    async def logout(
        self, *, code: str, groups: Sequence[str] | None, by: Principal
    ) -> list[WorkGroupState]:
        """Log the agent out of `groups` (default: every skill group); an open offer to them
        goes to the next agent, what they accepted stays theirs."""
        return await self._choose(code, groups, logged_in=False, by=by)

    async def state(self, *, code: str) -> list[WorkGroupState]:
        """The agent's skill groups, each logged in for work or not."""
        agent, queue_of = await self._agent_and_queues(code)
        return self._state(agent, queue_of, await self._store.for_agent(code))

    async def _choose(
        self, code: str, groups: Sequence[str] | None, *, logged_in: bool, by: Principal
    ) -> list[WorkGroupState]:
        agent, queue_of = await self._agent_and_queues(code)
        skills = [s.group_slug for s in agent.skills]
        if not skills:
            raise Conflict(f"agent {code} has no skills: no work group to log in to")
        wanted = list(dict.fromkeys(skills if groups is None else groups))
        if not wanted:
            raise InvalidField(("groups",), "name at least one group")
        refused = refused_group(wanted, skills, queue_of)
        if refused is not None:
            raise InvalidField(("groups",), refused)
        at = datetime.fromtimestamp(self._clock(), UTC)
        await self._store.choose(code, wanted, logged_in=logged_in, by=_who(by), at=at)
        log.info("agent %s %s work groups %s", code, "in to" if logged_in else "out of", wanted)
        for listener in self.listeners:
            try:
                listener(code)
            except Exception:
                log.exception("work login: a listener failed")
        if self._publish is not None and not await self._publish(code):
            log.warning("work login of %s unannounced (bus down): polled", code)
        return self._state(agent, queue_of, await self._store.for_agent(code))

    def _state(
        self, agent: Agent, queue_of: dict[str, str], chosen: dict[str, bool]
    ) -> list[WorkGroupState]:
        seen = self._presence.get(agent.code)
        voice = set(seen.queues) if seen is not None and seen.state != "logged_out" else set()
        skills = [s.group_slug for s in agent.skills]
        voice_groups = {g for g in skills if queue_of.get(g, g) in voice}
        logged = set(work_groups(skills, chosen, voice_groups, follows_queues=self.follows_queues))
        return [WorkGroupState(g, g in logged, chosen.get(g)) for g in skills]

    async def _agent_and_queues(self, code: str) -> tuple[Agent, dict[str, str]]:
        async with self._uow() as uow:
            agent = await uow.agents.get_by_code(code=code)
            groups = {g.slug: g.queue for g in await uow.groups.list_all()}
        if agent is None:
            raise NotFound(f"no agent {code!r}")
        if not agent.active:
            raise Conflict(f"agent {code} is inactive")
        return agent, groups


def _who(by: Principal) -> str:
    return f"agent {by.agent_code}" if by.agent_code else by.role
