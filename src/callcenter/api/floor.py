"""Ready during wrap-up (the agent), and force pause / log out of an agent (supervisors)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import StringConstraints

from callcenter.api.agent_control import Code, Reason
from callcenter.api.deps import RuntimeDep
from callcenter.api.errors import http_errors
from callcenter.api.fields import ONE_LINE
from callcenter.api.schemas import Strict
from callcenter.api.schemas_staff import AgentCodePath
from callcenter.api.supervision import Manager
from callcenter.services.floor_control import FloorControl

router = APIRouter(tags=["agent control"])
Why = Annotated[str, StringConstraints(max_length=120), ONE_LINE]


def get_floor(runtime: RuntimeDep) -> FloorControl:
    """The floor-control service of this process (built by the bootstrap)."""
    if runtime.floor is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "floor control is not running")
    return runtime.floor


FloorDep = Annotated[FloorControl, Depends(get_floor)]


class ForcePauseIn(Strict):
    """One of the configured pause reasons, and why the supervisor pauses the agent."""

    reason: Reason
    why: Why | None = None


class ForceLogoutIn(Strict):
    """Why the supervisor logs the agent out."""

    why: Why | None = None


@router.post("/api/agents/{code}/ready")
async def ready(code: Code, floor: FloorDep) -> dict[str, Any]:
    """End the agent's wrap-up now (409 when not in wrap-up; 403 where the center forbids it).

    app_queue's `wrapuptime` would hold the agent until it runs out; the agent is taken out of
    its queues and added back at once, unpaused, so the next caller may ring straight away.
    """
    with http_errors():
        queues = await floor.ready(code=code)
    return {"agent": code, "queues": queues}


@router.post("/api/agents/{code}/force-pause")
async def force_pause(
    code: AgentCodePath, body: ForcePauseIn, floor: FloorDep, by: Manager
) -> dict[str, Any]:
    """A supervisor pauses an agent (pending while the agent is on a call); audited."""
    with http_errors():
        applied = await floor.force_pause(code=code, reason=body.reason, why=body.why, by=by)
    return {"agent": code, "reason": body.reason, "pending": not applied}


@router.post("/api/agents/{code}/force-logout")
async def force_logout(
    code: AgentCodePath, body: ForceLogoutIn, floor: FloorDep, by: Manager
) -> dict[str, Any]:
    """A supervisor logs an agent out of every queue; audited."""
    with http_errors():
        removed = await floor.force_logout(code=code, why=body.why, by=by)
    return {"agent": code, "queues": removed}
