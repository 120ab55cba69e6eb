"""The HTTP dialplan hook `GET /api/dialplan/route`: Asterisk's CURL() twin of the FastAGI route.

Requests are served by `callcenter.api.dialplan_hook.DialplanHook` ahead of FastAPI's router
(no dependency resolution or validation per request); the FastAPI route here documents the hook in
the OpenAPI schema and answers the same way when the app is mounted without that middleware.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import JSONResponse

from callcenter.api.deps import RuntimeDep, authenticate_request
from callcenter.domain.access.auth import allows

if TYPE_CHECKING:
    from callcenter.runtime import Runtime

log = logging.getLogger(__name__)

router = APIRouter(tags=["dialplan"])
ROUTE_PATH = "/api/dialplan/route"
# Longer values are cut, not refused: the hook must answer whatever the dialplan sends.
MAX_PARAM = 128

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def allowed_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """An allow-list setting as networks (a bare address is a host network); bad ones skipped
    (and logged once: the parse is kept per distinct list, not redone per request)."""
    return _parsed(tuple(entries))


@lru_cache(maxsize=16)
def _parsed(entries: tuple[str, ...]) -> tuple[Network, ...]:
    out: list[Network] = []
    for entry in entries:
        try:
            out.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            log.error("allow-list entry %r is not an address or network; ignored", entry)
    return tuple(out)


def allow_listed(host: str | None, networks: Iterable[Network]) -> bool:
    """Whether a client address falls in one of the allowed networks."""
    if not host:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in net for net in networks)


async def token_caller(request: Request, runtime: Runtime) -> str:
    """A caller that is not allow-listed: a token with `dialplan.route`, else 401/403 (and 429/503
    when tokens cannot be checked), raised as HTTPException."""
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


async def dialplan_caller(request: Request, runtime: RuntimeDep) -> str:
    """Let through an allow-listed source address or a token with `dialplan.route` (401/403)."""
    host = request.client.host if request.client else None
    if allow_listed(host, allowed_networks(runtime.settings.dialplan_allow)):
        return f"address {host}"
    return await token_caller(request, runtime)


def _param(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()[:MAX_PARAM]
    return value or None


async def routed(
    runtime: Runtime, params: Mapping[str, str], received_at: float | None
) -> dict[str, Any]:
    """The hook's answer for these query parameters: the decision and its CC_* variables."""
    decision = await runtime.routing.route(
        caller_raw=_param(params.get("caller")),
        did=_param(params.get("did")),
        menu=_param(params.get("menu")),
        now=datetime.now(UTC),
        call_id=_param(params.get("uniqueid")),
        received_at=received_at,
    )
    return {**decision.to_json(), "variables": decision.dialplan_variables()}


@router.get(ROUTE_PATH, response_model=dict[str, Any])
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
    \f
    Returned as a response, not a dict: FastAPI would validate and re-encode the dict first.
    """
    given = {"caller": caller, "did": did, "menu": menu, "uniqueid": uniqueid}
    params = {k: v for k, v in given.items() if v is not None}
    return JSONResponse(await routed(runtime, params, getattr(request.state, "received_at", None)))
