"""`GET /metrics`: Prometheus text; open to a local scraper, else a supervisor or admin token."""

from __future__ import annotations

import ipaddress

from fastapi import APIRouter, HTTPException, Request, Response, status

from callcenter.adapters.metrics import CONTENT_TYPE
from callcenter.api.deps import RuntimeDep
from callcenter.api.metrics_figures import runtime_families
from callcenter.domain.access.auth import allows, bearer_token

router = APIRouter(tags=["operations"])

# A reverse proxy on the same host makes every client look local: proxied requests need a token.
PROXY_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip")


def local_unproxied(request: Request) -> bool:
    """Whether the request comes from this host's loopback and not through a proxy."""
    host = request.client.host if request.client else None
    if not host or any(h in request.headers for h in PROXY_HEADERS):
        return False
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE: {}}, "description": "Prometheus text format"}},
)
async def metrics(request: Request, runtime: RuntimeDep) -> Response:
    """Counters, gauges and histograms of this process (no personal data, no secrets)."""
    if not local_unproxied(request):
        token = bearer_token(request.headers.get("authorization"))
        principal = await runtime.auth.authenticate(token) if token else None
        if principal is None:
            raise HTTPException(
                status_code=status.HTTP_401_UNAUTHORIZED,
                detail="a supervisor or admin token is required from a non-local address",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if not allows(principal, "reports.view"):
            raise HTTPException(
                status_code=status.HTTP_403_FORBIDDEN,
                detail=f"role {principal.role!r} may not read metrics",
            )
    text = runtime.metrics.render(runtime_families(runtime, runtime.metrics))
    return Response(content=text, media_type=CONTENT_TYPE)
