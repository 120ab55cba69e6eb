"""Supervision: monitor an agent's live call (listen / whisper / barge) and the audit log."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, status
from pydantic import StringConstraints

from callcenter.api.agent_control import Staff
from callcenter.api.deps import RuntimeDep, get_principal
from callcenter.api.errors import http_errors
from callcenter.api.fields import ONE_LINE
from callcenter.api.schemas import Strict
from callcenter.api.schemas_staff import AgentCodePath
from callcenter.domain.access.auth import MANAGERS, Principal
from callcenter.ports.audit import AuditEntry
from callcenter.services.supervision import Supervision

router = APIRouter(tags=["supervision"])
Interface = Annotated[str, StringConstraints(min_length=1, max_length=80), ONE_LINE]


async def get_supervision(runtime: RuntimeDep) -> Supervision:
    """The supervision service of this process (built by the bootstrap)."""
    if runtime.supervision is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "supervision is not running")
    return runtime.supervision


SupervisionDep = Annotated[Supervision, Depends(get_supervision)]


async def manager(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    """A supervisor or admin (403 for an agent or the dialplan token)."""
    if principal.role not in MANAGERS:
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"role {principal.role!r} may not")
    return principal


Manager = Annotated[Principal, Depends(manager)]


class MonitorIn(Strict):
    """How the supervisor joins the call, and the phone (interface) that rings for it."""

    mode: Literal["listen", "whisper", "barge"]
    supervisor: Interface


@router.post("/api/agents/{code}/monitor", status_code=status.HTTP_202_ACCEPTED)
async def monitor(
    code: AgentCodePath, body: MonitorIn, supervision: SupervisionDep, by: Manager
) -> dict[str, Any]:
    """Ring the supervisor's phone into ChanSpy on the agent's current call (409: no call)."""
    with http_errors():
        session = await supervision.monitor(
            code=code, mode=body.mode, supervisor=body.supervisor, by=by
        )
    return {
        "agent": code,
        "mode": session.mode,
        "pbx": session.pbx,
        "linkedid": session.linkedid,
        "action_id": session.reference,
        "audit_id": session.audit_id,
    }


class MonitorModeIn(Strict):
    """The mode a running session switches to; `supervisor` picks the session if several."""

    mode: Literal["listen", "whisper", "barge"]
    supervisor: Interface | None = None


@router.patch("/api/agents/{code}/monitor")
async def switch_mode(
    code: AgentCodePath, body: MonitorModeIn, supervision: SupervisionDep, by: Manager
) -> dict[str, Any]:
    """Switch the live session to listen / whisper / barge without hanging up (409: none)."""
    with http_errors():
        session = await supervision.switch(
            code=code, mode=body.mode, by=by, supervisor=body.supervisor
        )
    return {
        "agent": code,
        "mode": session.mode,
        "pbx": session.pbx,
        "linkedid": session.linkedid,
        "audit_id": session.audit_id,
    }


@router.get("/api/agents/{code}/monitor")
async def monitor_state(
    code: AgentCodePath, supervision: SupervisionDep, principal: Staff
) -> dict[str, Any]:
    """Whether the agent is being monitored now; agents see it only if the center allows."""
    with http_errors():
        mode = supervision.visible_to(principal, code)
    return {"agent": code, "monitored": mode is not None, "mode": mode}


@router.get("/api/monitoring")
async def monitoring(supervision: SupervisionDep, _: Manager) -> dict[str, str]:
    """Agent code -> mode of everyone a supervisor hears now (the wallboard's flag)."""
    return supervision.monitored()


@router.get("/api/audit")
async def audit(
    runtime: RuntimeDep,
    _: Manager,
    kind: Annotated[
        Literal["monitor", "recording", "quality", "agent_control"] | None, Query()
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """Audited monitoring sessions, recording accesses and quality scores, newest first."""
    if runtime.audit is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "no audit log in this process")
    return [_entry(e) for e in await runtime.audit.recent(kind=kind, limit=limit)]


def _entry(e: AuditEntry) -> dict[str, Any]:
    return {
        "id": e.id,
        "kind": e.kind,
        "actor": e.actor,
        "agent": e.agent_code,
        "pbx": e.pbx,
        "linkedid": e.linkedid,
        "detail": e.detail,
        "started_at": e.started_at.isoformat(),
        "ended_at": e.ended_at.isoformat() if e.ended_at else None,
    }
