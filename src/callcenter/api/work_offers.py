"""An agent's work items: offers and items held; accept, reject, complete with a disposition."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import StringConstraints

from callcenter.api.agent_control import Code
from callcenter.api.deps import RuntimeDep, get_principal
from callcenter.api.errors import http_errors
from callcenter.api.fields import ONE_LINE, IdPath
from callcenter.api.schemas import Strict
from callcenter.domain.access.auth import Principal
from callcenter.ports.work_offers import WorkEntry
from callcenter.services.work_offers import WorkOffers

router = APIRouter(tags=["work items"])
DispositionCode = Annotated[str, StringConstraints(min_length=1, max_length=40), ONE_LINE]
Caller = Annotated[Principal, Depends(get_principal)]


def get_work(runtime: RuntimeDep) -> WorkOffers:
    """The offering service of this process (503 when this process does not run it)."""
    work = runtime.work_offers
    if work is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "work offers are not running")
    return work


WorkDep = Annotated[WorkOffers, Depends(get_work)]


class CompleteIn(Strict):
    """How the item was settled (one of the disposition codes)."""

    disposition: DispositionCode


def entry_json(entry: WorkEntry) -> dict[str, Any]:
    """An item as the desktop shows it."""
    return {
        "id": entry.id,
        "kind": entry.kind,
        "group": entry.group,
        "status": entry.status,
        "priority": entry.priority,
        "customer_id": entry.customer_id,
        "caller": entry.caller,
        "note": entry.note,
        "due_at": entry.due_at.isoformat() if entry.due_at else None,
        "created_at": entry.created_at.isoformat(),
        "agent": entry.agent,
        "expires_at": entry.expires_at.isoformat() if entry.expires_at else None,
        "attempts": entry.attempts,
        "outcome": entry.outcome,
        "disposition": entry.disposition,
    }


@router.get("/api/agents/{code}/work")
async def agent_work(code: Code, work: WorkDep) -> list[dict[str, Any]]:
    """The items offered to the agent (with their deadline) and the items the agent holds."""
    with http_errors():
        entries = await work.agent_work(code=code)
    return [entry_json(e) for e in entries]


@router.post("/api/agents/{code}/work/{item_id}/accept")
async def accept(code: Code, item_id: IdPath, work: WorkDep, by: Caller) -> dict[str, Any]:
    """Take the offered item (a callback is then dialled: the agent's phone rings first)."""
    with http_errors():
        return entry_json(await work.accept(code=code, item_id=item_id, by=by))


@router.post("/api/agents/{code}/work/{item_id}/reject", status_code=status.HTTP_202_ACCEPTED)
async def reject(code: Code, item_id: IdPath, work: WorkDep, by: Caller) -> dict[str, Any]:
    """Decline the offer: the item goes to the next agent."""
    with http_errors():
        await work.reject(code=code, item_id=item_id, by=by)
    return {"id": item_id, "status": "rejected"}


@router.post("/api/agents/{code}/work/{item_id}/complete")
async def complete(
    code: Code, item_id: IdPath, body: CompleteIn, work: WorkDep, by: Caller
) -> dict[str, Any]:
    """Close the item as done with its disposition."""
    with http_errors():
        return entry_json(
            await work.complete(code=code, item_id=item_id, disposition=body.disposition, by=by)
        )
