"""Who is logged in to which work groups, in memory for the wallboard's agent cards (no query
per snapshot): every agent's skill groups and choices, read on start and again when a login
changes here or on another process (the bus), then combined with live presence."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from callcenter.domain.agents.presence import PresenceBoard
from callcenter.domain.work_login import Choices, work_groups
from callcenter.ports.uow import UowFactory
from callcenter.ports.work_logins import WorkLoginStore

log = logging.getLogger(__name__)


class WorkLoginView:
    """`groups_of(code)`: the work groups the agent takes items from now."""

    def __init__(
        self,
        *,
        uow: UowFactory,
        store: WorkLoginStore,
        presence: PresenceBoard,
        follows_queues: bool,
    ) -> None:
        self._uow = uow
        self._store = store
        self._presence = presence
        self._follows = follows_queues
        self._skills: dict[str, list[str]] = {}  # agent code -> skill groups
        self._queue_of: dict[str, str] = {}
        self._chosen: dict[str, Choices] = {}
        self._task: asyncio.Task[None] | None = None
        self._again = False
        self.on_change: Callable[[], None] = lambda: None  # the wallboard pushes a snapshot

    async def load(self) -> None:
        """Read the agents' skills, the groups' queues and every choice."""
        async with self._uow() as uow:
            agents = await uow.agents.list_all(active_only=True)
            groups = await uow.groups.list_all()
        self._chosen = dict(await self._store.all())
        self._skills = {a.code: [s.group_slug for s in a.skills] for a in agents}
        self._queue_of = {g.slug: g.queue for g in groups}
        self.on_change()

    def changed(self, code: str = "") -> None:
        """A login changed (here or elsewhere): read again in the background."""
        self._again = True
        if self._task is None or self._task.done():
            with contextlib.suppress(RuntimeError):  # no running loop: read at the next change
                self._task = asyncio.get_running_loop().create_task(self._reload())

    async def aclose(self) -> None:
        """Stop a read under way."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def groups_of(self, code: str) -> list[str]:
        """The agent's work groups now (skill order); [] for an agent not known yet."""
        skills = self._skills.get(code, [])
        seen = self._presence.get(code)
        voice = set(seen.queues) if seen is not None and seen.state != "logged_out" else set()
        in_voice = {g for g in skills if self._queue_of.get(g, g) in voice}
        chosen = self._chosen.get(code, {})
        return work_groups(skills, chosen, in_voice, follows_queues=self._follows)

    async def _reload(self) -> None:
        while self._again:  # a change heard during a read is read again
            self._again = False
            try:
                await self.load()
            except Exception as exc:  # the database away: the next change reads again
                log.warning("work logins not read for the wallboard: %r", exc)
