"""The floor the offering loop plans over: active agents, each group's voice queue and the agents'
work-group logins, all small, read again every `floor_s` (agents and groups change rarely and are
not on the change feed); the logins also at once when one changes (`logins_changed`)."""

from __future__ import annotations

from collections.abc import Callable

from callcenter.domain.agents.records import Agent
from callcenter.domain.work_login import Choices
from callcenter.ports.uow import UowFactory
from callcenter.ports.work_logins import WorkLoginStore


class OfferFloor:
    """Agents by code and queues by group slug, as last read."""

    def __init__(
        self, uow: UowFactory, clock: Callable[[], float], logins: WorkLoginStore | None = None
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._logins = logins
        self.agents: dict[str, Agent] = {}
        self.queue_of: dict[str, str] = {}
        self.logins: dict[str, Choices] = {}  # agent code -> group -> logged in, as chosen
        self._changes = self._changes_read = 0  # logins changed / as of the last read
        self.read_at = 0.0

    def due(self, every_s: float) -> bool:
        """Whether the last read is older than `every_s` seconds."""
        return self._clock() - self.read_at >= every_s

    async def read(self) -> None:
        """Read the active agents and the groups' queues."""
        async with self._uow() as uow:
            agents = {a.code: a for a in await uow.agents.list_all(active_only=True)}
            self.queue_of = {g.slug: g.queue for g in await uow.groups.list_all()}
        await self.read_logins()
        self.agents.clear()  # in place: the callback dialler reads the same mapping
        self.agents.update(agents)
        self.read_at = self._clock()

    async def refresh(self, every_s: float) -> None:
        """Read everything if the last read is older than `every_s`, else the logins if stale."""
        if self.due(every_s):
            await self.read()
        elif self.logins_stale:
            await self.read_logins()

    @property
    def logins_stale(self) -> bool:
        """Whether an agent logged in or out since the last read of the logins."""
        return self._changes != self._changes_read

    def logins_changed(self) -> None:
        """An agent logged in to or out of work groups (here or on another process)."""
        self._changes += 1

    async def read_logins(self) -> None:
        """Read every agent's work-group logins (still stale if the read fails)."""
        changes = self._changes
        if self._logins is not None:
            self.logins = dict(await self._logins.all())
        self._changes_read = changes
