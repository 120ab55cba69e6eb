"""The floor the offering loop plans over: active agents and each group's voice queue, both small,
read again every `floor_s` (agents and groups change rarely and are not on the change feed)."""

from __future__ import annotations

from collections.abc import Callable

from callcenter.domain.agents.records import Agent
from callcenter.ports.uow import UowFactory


class OfferFloor:
    """Agents by code and queues by group slug, as last read."""

    def __init__(self, uow: UowFactory, clock: Callable[[], float]) -> None:
        self._uow = uow
        self._clock = clock
        self.agents: dict[str, Agent] = {}
        self.queue_of: dict[str, str] = {}
        self.read_at = 0.0

    def due(self, every_s: float) -> bool:
        """Whether the last read is older than `every_s` seconds."""
        return self._clock() - self.read_at >= every_s

    async def read(self) -> None:
        """Read the active agents and the groups' queues."""
        async with self._uow() as uow:
            self.agents = {a.code: a for a in await uow.agents.list_all(active_only=True)}
            self.queue_of = {g.slug: g.queue for g in await uow.groups.list_all()}
        self.read_at = self._clock()
