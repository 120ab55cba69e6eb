"""`GET /api/wallboard`: the live wallboard figures (supervisors and admins)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, status

from callcenter.api.deps import RuntimeDep, requires
from callcenter.domain.access.auth import Principal

router = APIRouter(tags=["wallboard"])


@router.get("/api/wallboard")
async def wallboard(
    runtime: RuntimeDep, _: Annotated[Principal, Depends(requires("wallboard.view"))]
) -> dict[str, Any]:
    """Today's per-group and per-agent figures, as the wallboard socket sends them."""
    snapshot = runtime.wallboard_snapshot()
    if snapshot is None:
        raise HTTPException(
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
            detail="the wallboard service does not run in this process",
        )
    return snapshot
