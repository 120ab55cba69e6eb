"""Agent control: log in/out, pause/resume, disposition, dial, transfer, and their code lists."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import StringConstraints

from callcenter.api.deps import RuntimeDep, get_principal
from callcenter.api.errors import http_errors
from callcenter.api.fields import ONE_LINE, PROSE, DbId
from callcenter.api.schemas import Strict
from callcenter.api.schemas_staff import AgentCodePath
from callcenter.domain.access.auth import MANAGERS, STAFF, Principal
from callcenter.services.agent_control import AgentControl

router = APIRouter(tags=["agent control"])
Reason = Annotated[str, StringConstraints(min_length=1, max_length=80), ONE_LINE]
LinkedId = Annotated[str, StringConstraints(min_length=1, max_length=64), ONE_LINE]
DispositionCode = Annotated[str, StringConstraints(min_length=1, max_length=40), ONE_LINE]
Note = Annotated[str, StringConstraints(max_length=2000), PROSE]
Number = Annotated[str, StringConstraints(min_length=1, max_length=64), ONE_LINE]
GroupName = Annotated[str, StringConstraints(min_length=1, max_length=40), ONE_LINE]


def get_control(runtime: RuntimeDep) -> AgentControl:
    """The agent-control service of this process (built by the bootstrap)."""
    return runtime.control


ControlDep = Annotated[AgentControl, Depends(get_control)]


async def acting_for(
    code: AgentCodePath, principal: Annotated[Principal, Depends(get_principal)]
) -> str:
    """The agent code in the path, if the caller may act for that agent (self, or a manager)."""
    if principal.role in MANAGERS or (principal.role == "agent" and principal.agent_code == code):
        return code
    raise HTTPException(
        status_code=status.HTTP_403_FORBIDDEN,
        detail=f"role {principal.role!r} may not act for agent {code}",
    )


async def staff_only(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    """Any agent, supervisor or admin (not the dialplan token)."""
    if principal.role not in STAFF:
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"role {principal.role!r} may not")
    return principal


Code = Annotated[str, Depends(acting_for)]
Staff = Annotated[Principal, Depends(staff_only)]


class PauseIn(Strict):
    """Why the agent pauses (one of the configured pause reasons)."""

    reason: Reason


class DispositionIn(Strict):
    """The wrap-up of one call."""

    linkedid: LinkedId
    code: DispositionCode
    settled: bool
    note: Note | None = None


class DialIn(Strict):
    """A number to dial, or a customer whose primary number to dial."""

    number: Number | None = None
    customer_id: DbId | None = None


class TransferIn(Strict):
    """The group (slug) whose queue takes the call."""

    group: GroupName


@router.get("/api/pause-reasons")
async def pause_reasons(control: ControlDep, _: Staff) -> list[str]:
    """The reasons an agent may give for a pause."""
    return list(control.pause_reasons)


@router.get("/api/dispositions")
async def dispositions(control: ControlDep, _: Staff) -> list[str]:
    """The disposition codes a call may be closed with."""
    return list(control.dispositions.codes)


@router.post("/api/agents/{code}/login")
async def login(code: Code, control: ControlDep) -> dict[str, Any]:
    """Add the agent to each skill's queue (penalty = 10 - skill level)."""
    with http_errors():
        added = await control.login(code=code)
    return {"agent": code, "queues": [{"queue": q, "penalty": p} for q, p in added]}


@router.post("/api/agents/{code}/logout")
async def logout(code: Code, control: ControlDep) -> dict[str, Any]:
    """Remove the agent from every queue."""
    with http_errors():
        removed = await control.logout(code=code)
    return {"agent": code, "queues": removed}


@router.post("/api/agents/{code}/pause")
async def pause(code: Code, body: PauseIn, control: ControlDep) -> dict[str, Any]:
    """Pause the agent in every queue with a reason.

    While the agent's phone rings or is on a call the pause is pending (`pending: true`): it
    takes effect once the call is over, and `GET /api/agents/{code}/desk` shows it meanwhile.
    """
    with http_errors():
        applied = await control.pause(code=code, reason=body.reason)
    return {"agent": code, "paused": applied, "pending": not applied, "reason": body.reason}


@router.post("/api/agents/{code}/resume")
async def resume(code: Code, control: ControlDep) -> dict[str, Any]:
    """Unpause the agent in every queue."""
    with http_errors():
        await control.resume(code=code)
    return {"agent": code, "paused": False}


@router.get("/api/agents/{code}/state")
async def agent_state(code: Code, control: ControlDep) -> dict[str, Any]:
    """The agent's live presence (logged_out when the PBX never reported the agent)."""
    seen = control.state(code=code)
    if seen is None:
        return {"agent": code, "state": "logged_out", "reason": None, "queues": [],
                "paused_in": [], "since": None}  # fmt: skip
    return {
        "agent": code,
        "state": seen.state,
        "reason": seen.reason,
        "queues": list(seen.queues),
        "paused_in": list(seen.paused_in),
        "since": seen.since,
    }


@router.post("/api/agents/{code}/disposition", status_code=status.HTTP_201_CREATED)
async def disposition(
    code: Code,
    body: DispositionIn,
    control: ControlDep,
    runtime: RuntimeDep,
    principal: Annotated[Principal, Depends(get_principal)],
) -> dict[str, Any]:
    """Add a disposition to the call's history (the newest is what the call shows).

    403 unless the caller is the agent who handled the call, or a supervisor or admin.
    """
    with http_errors():
        result = await control.record_disposition(
            code=code,
            linkedid=body.linkedid,
            disposition=body.code,
            settled=body.settled,
            note=body.note,
            by=principal,
        )
    runtime.desk.disposed(code, body.linkedid)  # the desktop's wrap-up form is closed
    return {"linkedid": result.linkedid, "code": body.code, "status": result.status}


@router.get("/api/calls/{linkedid}/dispositions")
async def disposition_history(
    linkedid: LinkedId, control: ControlDep, _: Staff
) -> list[dict[str, Any]]:
    """Every disposition given for a stored call, oldest first (the last one is what counts)."""
    with http_errors():
        entries = await control.dispositions.history(linkedid=linkedid)
    return [
        {
            "code": e.code,
            "settled": e.settled,
            "note": e.note,
            "agent": e.agent_code,
            "set_by": e.set_by,
            "at": e.at.isoformat(),
        }
        for e in entries
    ]


@router.post("/api/agents/{code}/dial", status_code=status.HTTP_202_ACCEPTED)
async def dial(code: Code, body: DialIn, control: ControlDep) -> dict[str, Any]:
    """Originate a call from the agent's phone (do-not-call customers are refused: 409)."""
    with http_errors():
        action_id = await control.dial(code=code, number=body.number, customer_id=body.customer_id)
    return {"action_id": action_id}


@router.post("/api/agents/{code}/transfer", status_code=status.HTTP_202_ACCEPTED)
async def transfer(code: Code, body: TransferIn, control: ControlDep) -> dict[str, Any]:
    """Move the customer of the agent's current call into another group's queue."""
    with http_errors():
        linkedid = await control.transfer(code=code, group=body.group)
    return {"linkedid": linkedid, "group": body.group}
