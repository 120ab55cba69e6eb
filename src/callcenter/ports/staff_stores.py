"""Repositories of agents with their skills, groups and API tokens."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from callcenter.domain.access.auth import ApiToken
from callcenter.domain.agents.records import Agent, Skill
from callcenter.domain.routing.groups import Group


class Agents(Protocol):
    """Agents; `add` raises DuplicateKey for a code already taken."""

    async def add(
        self,
        *,
        code: str,
        name: str,
        interface: str,
        state_interface: str | None = None,
        active: bool = True,
        skills: Sequence[Skill] = (),
    ) -> int: ...
    async def get(self, *, agent_id: int) -> Agent | None: ...
    async def get_by_code(self, *, code: str) -> Agent | None: ...
    async def list_all(self, *, active_only: bool = False) -> list[Agent]: ...
    async def set_skills(self, *, agent_id: int, skills: Sequence[Skill]) -> None: ...


class Groups(Protocol):
    """The skill groups with their queues."""

    async def list_all(self) -> list[Group]: ...
    async def get(self, *, slug: str) -> Group | None: ...


class Tokens(Protocol):
    """API tokens, stored as hashes."""

    async def add(
        self,
        *,
        token_hash: str,
        role: str,
        agent_id: int | None = None,
        label: str | None = None,
        now: datetime | None = None,
    ) -> int: ...
    async def by_hash(self, *, token_hash: str) -> ApiToken | None: ...
    async def revoke(self, *, token_id: int, now: datetime | None = None) -> bool: ...
    async def list_all(self) -> list[ApiToken]: ...
