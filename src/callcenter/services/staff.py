"""Agents, their skills and the groups; every function is one transaction."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from callcenter.domain.agents.records import Agent, Skill
from callcenter.domain.routing.groups import Group
from callcenter.domain.routing.rules import RoutingRules
from callcenter.ports.uow import UowFactory
from callcenter.services.errors import Conflict, DuplicateKey, InvalidField, NotFound

log = logging.getLogger(__name__)


async def list_agents(*, uow: UowFactory, active_only: bool = False) -> list[Agent]:
    """Every agent by code, each with skills."""
    async with uow() as work:
        return await work.agents.list_all(active_only=active_only)


async def get_agent(*, uow: UowFactory, code: str) -> Agent:
    """The agent with this code; NotFound when there is none."""
    async with uow() as work:
        agent = await work.agents.get_by_code(code=code)
    if agent is None:
        raise NotFound(f"no agent {code!r}")
    return agent


async def _check_skills(groups: set[str], skills: Sequence[Skill], field: str) -> None:
    seen: set[str] = set()
    for index, skill in enumerate(skills):
        if skill.group_slug not in groups:
            raise InvalidField((field, index, "group"), f"no group {skill.group_slug!r}")
        if skill.group_slug in seen:
            raise InvalidField((field, index, "group"), f"group {skill.group_slug!r} given twice")
        seen.add(skill.group_slug)


async def create_agent(
    *,
    uow: UowFactory,
    code: str,
    name: str,
    interface: str,
    state_interface: str | None = None,
    active: bool = True,
    skills: Sequence[Skill] = (),
) -> Agent:
    """Store a new agent; Conflict when the code is taken, InvalidField for an unknown group."""
    try:
        async with uow() as work:
            if await work.agents.get_by_code(code=code) is not None:
                raise Conflict(f"agent code {code!r} is already taken")
            groups = {g.slug for g in await work.groups.list_all()}
            await _check_skills(groups, skills, "skills")
            await work.agents.add(
                code=code,
                name=name,
                interface=interface,
                state_interface=state_interface,
                active=active,
                skills=skills,
            )
            await work.commit()
    except DuplicateKey as exc:  # a concurrent insert of the same code
        raise Conflict(f"agent code {code!r} is already taken") from exc
    return await get_agent(uow=uow, code=code)


async def set_skills(*, uow: UowFactory, code: str, skills: Sequence[Skill]) -> Agent:
    """Replace an agent's skills; NotFound for an unknown agent, InvalidField for a bad group."""
    async with uow() as work:
        agent = await work.agents.get_by_code(code=code)
        if agent is None:
            raise NotFound(f"no agent {code!r}")
        groups = {g.slug for g in await work.groups.list_all()}
        await _check_skills(groups, skills, "skills")
        await work.agents.set_skills(agent_id=agent.id, skills=skills)
        await work.commit()
    return await get_agent(uow=uow, code=code)


async def list_groups(*, uow: UowFactory, rules: RoutingRules) -> list[Group]:
    """The functional groups in entry-point order, each with what the rule book says about it.

    Overflow, borrowing and hours come only from the rule book (what the router obeys).
    """
    async with uow() as work:
        groups = await work.groups.list_all()
    return [replace(g, routing=rules.groups.get(g.slug)) for g in groups]
