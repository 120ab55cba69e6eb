"""An agent's work-group login: in to / out of work-item groups, apart from the voice queues."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import Field

from callcenter.api.agent_control import Code
from callcenter.api.deps import RuntimeDep, get_principal
from callcenter.api.errors import http_errors
from callcenter.api.schemas import Strict
from callcenter.api.schemas_staff import GroupSlug
from callcenter.domain.access.auth import Principal
from callcenter.services.work_login import WorkGroupState, WorkLogin

router = APIRouter(tags=["work items"])
Caller = Annotated[Principal, Depends(get_principal)]


def get_login(runtime: RuntimeDep) -> WorkLogin:
    """The work-login service of this process (built by the bootstrap on every process)."""
    if runtime.work_login is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "work login is not running")
    return runtime.work_login


LoginDep = Annotated[WorkLogin, Depends(get_login)]


class WorkGroupsIn(Strict):
    """The work groups to log in to or out of; left out: every group the agent has a skill in."""

    groups: Annotated[list[GroupSlug], Field(max_length=50)] | None = None


def state_json(code: str, groups: list[WorkGroupState]) -> dict[str, Any]:
    """The agent's work groups as the desktop shows them."""
    return {
        "agent": code,
        "groups": [
            {"group": g.group, "logged_in": g.logged_in, "chosen": g.chosen} for g in groups
        ],
        "logged_in": [g.group for g in groups if g.logged_in],
    }


@router.get("/api/agents/{code}/work-groups")
async def work_groups(code: Code, login: LoginDep) -> dict[str, Any]:
    """The agent's skill groups, each with whether the agent takes its work items now and the
    agent's own choice (`chosen`: true / false, or null while it follows the voice queue)."""
    with http_errors():
        return state_json(code, await login.state(code=code))


@router.post("/api/agents/{code}/work-login")
async def work_login(
    code: Code, login: LoginDep, by: Caller, body: WorkGroupsIn | None = None
) -> dict[str, Any]:
    """Log the agent in to work groups (default: every skill group); waiting items of those
    groups are offered at once. 422 naming `groups` for an unknown group or one without skill."""
    with http_errors():
        groups = await login.login(code=code, groups=body.groups if body else None, by=by)
    return state_json(code, groups)


@router.post("/api/agents/{code}/work-logout")
async def work_logout(
    code: Code, login: LoginDep, by: Caller, body: WorkGroupsIn | None = None
) -> dict[str, Any]:
    """Log the agent out of work groups (default: every skill group): an open offer to them goes
    to the next agent; items they accepted stay theirs."""
    with http_errors():
        groups = await login.logout(code=code, groups=body.groups if body else None, by=by)
    return state_json(code, groups)
