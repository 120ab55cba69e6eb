"""The functional groups (each an Asterisk queue)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from callcenter.api.deps import RuntimeDep, requires
from callcenter.api.schemas_staff import GroupOut
from callcenter.domain.access.auth import Principal
from callcenter.services import staff

router = APIRouter(prefix="/api/groups", tags=["groups"])


@router.get("", response_model=list[GroupOut])
async def list_groups(
    runtime: RuntimeDep, _: Annotated[Principal, Depends(requires("agents.read"))]
) -> list[GroupOut]:
    """The seven groups with service-level targets, and the rule book's overflow and hours."""
    return [
        GroupOut.of(g)
        for g in await staff.list_groups(uow=runtime.uow, rules=runtime.routing.rules)
    ]
