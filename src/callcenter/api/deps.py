"""FastAPI dependencies: the runtime, the unit of work, and who is calling (bearer token + role)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, HTTPException, Request, status

from callcenter.domain.access.auth import Action, Principal, allows, bearer_token
from callcenter.services.auth import AuthUnavailable, Throttled

if TYPE_CHECKING:
    from callcenter.adapters.db.uow import SqlUnitOfWork
    from callcenter.runtime import Runtime


async def get_runtime(request: Request) -> Runtime:
    """The wired components of this process (built by the app's lifespan); async so that FastAPI
    calls it on the loop instead of handing a sync dependency to its thread pool per request."""
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated["Runtime", Depends(get_runtime)]


async def get_uow(runtime: RuntimeDep) -> SqlUnitOfWork:
    """A fresh unit of work; the service that uses it owns the transaction."""
    return runtime.uow()


UowDep = Annotated["SqlUnitOfWork", Depends(get_uow)]


async def authenticate_request(request: Request, runtime: Runtime) -> Principal | None:
    """The principal of the request's bearer token, or None; 429 for a throttled source and 503
    when tokens cannot be checked now."""
    token = bearer_token(request.headers.get("authorization"))
    source = request.client.host if request.client else None
    try:
        return await runtime.auth.authenticate(token, source)
    except Throttled as exc:
        raise HTTPException(
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            detail="too many failed token checks from this address; retry later",
            headers={"Retry-After": str(max(1, round(exc.retry_after_s)))},
        ) from exc
    except AuthUnavailable as exc:
        raise HTTPException(
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
            detail="cannot check tokens right now; retry shortly",
            headers={"Retry-After": "2"},
        ) from exc


async def get_principal(request: Request, runtime: RuntimeDep) -> Principal:
    """The caller's principal from `Authorization: Bearer <token>`; 401 when absent or invalid."""
    principal = await authenticate_request(request, runtime)
    if principal is None:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="a valid bearer token is required",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return principal


def requires(action: Action) -> Callable[..., Awaitable[Principal]]:
    """A dependency that lets through only principals allowed to do `action` (else 403)."""

    async def dependency(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
        if not allows(principal, action):
            raise HTTPException(
                status_code=status.HTTP_403_FORBIDDEN,
                detail=f"role {principal.role!r} may not {action}",
            )
        return principal

    return dependency
