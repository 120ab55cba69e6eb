"""The HTTP dialplan hook `GET /api/dialplan/route`: Asterisk's CURL() twin of the FastAGI route."""

from __future__ import annotations

import ipaddress
import logging
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import JSONResponse

from callcenter.api.deps import RuntimeDep, authenticate_request
from callcenter.domain.access.auth import allows

log = logging.getLogger(__name__)

router = APIRouter(tags=["dialplan"])
# Longer values are cut, not refused: the hook must answer whatever the dialplan sends.
MAX_PARAM = 128

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def allowed_networks(entries: list[str]) -> list[Network]:
    """settings.dialplan_allow as networks (a bare address is a host network); bad ones skipped."""
    out: list[Network] = []
    for entry in entries:
        try:
            out.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            log.error("dialplan_allow entry %r is not an address or network; ignored", entry)
    return out


def allow_listed(host: str | None, networks: list[Network]) -> bool:
    """Whether a client address falls in one of the allowed networks."""
    if not host:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in net for net in networks)


async def dialplan_caller(request: Request, runtime: RuntimeDep) -> str:
    """Let through an allow-listed source address or a token with `dialplan.route` (401/403)."""
    host = request.client.host if request.client else None
    if allow_listed(host, allowed_networks(runtime.settings.dialplan_allow)):
        return f"address {host}"
    principal = await authenticate_request(request, runtime)
    if principal is None:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="a dialplan token or an allow-listed source address is required",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not allows(principal, "dialplan.route"):
        raise HTTPException(
            status_code=status.HTTP_403_FORBIDDEN,
            detail=f"role {principal.role!r} may not dialplan.route",
        )
    return f"token of role {principal.role}"


def _param(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()[:MAX_PARAM]
    return value or None


@router.get("/api/dialplan/route", response_model=dict[str, Any])
async def route(
    request: Request,
    runtime: RuntimeDep,
    _: Annotated[str, Depends(dialplan_caller)],
    caller: str | None = None,
    did: str | None = None,
    menu: str | None = None,
    uniqueid: str | None = None,
) -> JSONResponse:
    """The routing decision with the CC_* variables to set; answers within the route deadline.

    Returned as a response, not a dict: FastAPI would validate and re-encode the dict first
    (about 60 µs a request, which a burst of 400 pays in full before its last answer).
    """
    decision = await runtime.routing.route(
        caller_raw=_param(caller),
        did=_param(did),
        menu=_param(menu),
        now=datetime.now(UTC),
        call_id=_param(uniqueid),
        received_at=getattr(request.state, "received_at", None),
    )
    return JSONResponse({**decision.to_json(), "variables": decision.dialplan_variables()})
