"""`POST /api/tokens/{id}/revoke` (admin): refuse a token at once, open websockets included."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status

from callcenter.api.deps import RuntimeDep, requires
from callcenter.api.fields import IdPath
from callcenter.domain.auth import Principal
from callcenter.services.tokens import revoke_token

log = logging.getLogger(__name__)
router = APIRouter(tags=["tokens"])


@router.post("/api/tokens/{token_id}/revoke")
async def revoke(
    token_id: IdPath,
    runtime: RuntimeDep,
    who: Annotated[Principal, Depends(requires("tokens.manage"))],
) -> dict[str, object]:
    """Revoke in the database, drop it from the auth cache and close its open sockets."""
    if not await revoke_token(uow=runtime.uow, token_id=token_id):
        raise HTTPException(
            status_code=status.HTTP_404_NOT_FOUND, detail=f"no active token {token_id}"
        )
    runtime.auth.forget(token_id)
    closed = runtime.hub.disconnect(lambda sub: sub.token_id == token_id, reason="revoked")
    if runtime.scaleout is not None:  # every other process forgets it and closes its sockets
        await runtime.scaleout.revoked(token_id)
    log.info("token %d revoked by token %s; %d socket(s) closed", token_id, who.token_id, closed)
    return {"token_id": token_id, "revoked": True, "sockets_closed": closed}
