"""Agents and their skills (control actions such as log in or pause live elsewhere)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from callcenter.api.deps import RuntimeDep, requires
from callcenter.api.errors import http_errors
from callcenter.api.schemas_staff import AgentCodePath, AgentIn, AgentOut, SkillsIn
from callcenter.domain.access.auth import Principal
from callcenter.services import staff

router = APIRouter(prefix="/api/agents", tags=["agents"])
Reader = Annotated[Principal, Depends(requires("agents.read"))]
Manager = Annotated[Principal, Depends(requires("agents.manage"))]


@router.get("", response_model=list[AgentOut])
async def list_agents(runtime: RuntimeDep, _: Reader, active_only: bool = False) -> list[AgentOut]:
    """Every agent with skills, by code."""
    return [
        AgentOut.of(a) for a in await staff.list_agents(uow=runtime.uow, active_only=active_only)
    ]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=AgentOut)
async def create_agent(body: AgentIn, runtime: RuntimeDep, _: Manager) -> AgentOut:
    """Add an agent (supervisors and admins); a taken code is a 409."""
    with http_errors():
        agent = await staff.create_agent(
            uow=runtime.uow,
            code=body.code,
            name=body.name,
            interface=body.interface,
            state_interface=body.state_interface,
            active=body.active,
            skills=[s.record() for s in body.skills],
        )
    return AgentOut.of(agent)


@router.get("/{code}", response_model=AgentOut)
async def get_agent(code: AgentCodePath, runtime: RuntimeDep, _: Reader) -> AgentOut:
    """One agent with skills."""
    with http_errors():
        return AgentOut.of(await staff.get_agent(uow=runtime.uow, code=code))


@router.put("/{code}/skills", response_model=AgentOut)
async def put_skills(
    code: AgentCodePath, body: SkillsIn, runtime: RuntimeDep, _: Manager
) -> AgentOut:
    """Replace the agent's skills (supervisors and admins)."""
    with http_errors():
        agent = await staff.set_skills(
            uow=runtime.uow, code=code, skills=[s.record() for s in body.skills]
        )
    return AgentOut.of(agent)
