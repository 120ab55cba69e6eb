"""The agent desktop and wallboard pages, their static files, and `GET /api/me` (who am I)."""

from __future__ import annotations

import logging
from dataclasses import asdict
from importlib import resources
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.responses import Response

from callcenter.api import api_docs
from callcenter.api.deps import RuntimeDep, get_principal
from callcenter.domain.access.auth import Principal, allows
from callcenter.services import staff

log = logging.getLogger(__name__)
router = APIRouter(tags=["pages"])
router.include_router(api_docs.router)  # /docs, served from the package (app.py: docs_url=None)

CONTENT_TYPES: dict[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}
# Pages load nothing from elsewhere and are never framed; the token lives in sessionStorage only.
PAGE_HEADERS: dict[str, str] = {
    "Content-Security-Policy": (
        "default-src 'self'; connect-src 'self'; img-src 'self' data:; "
        "style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}


def web_file(name: str) -> tuple[bytes, str]:
    """A file shipped in callcenter/web and its content type; LookupError for anything else."""
    suffix = name[name.rfind(".") :] if "." in name else ""
    plain = name and "/" not in name and "\\" not in name and not name.startswith(".")
    if not plain or suffix not in CONTENT_TYPES:
        raise LookupError(name)
    entry = resources.files("callcenter").joinpath("web", name)
    if not entry.is_file():
        raise LookupError(name)
    return entry.read_bytes(), CONTENT_TYPES[suffix]


def _serve(name: str) -> Response:
    try:
        body, content_type = web_file(name)
    except LookupError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no such file: {name}") from None
    return Response(content=body, media_type=content_type, headers=PAGE_HEADERS)


@router.get("/desktop", include_in_schema=False)
async def desktop_page() -> Response:
    """The agent desktop (sign-in happens in the page; the token never reaches the server here)."""
    return _serve("desktop.html")


@router.get("/wallboard", include_in_schema=False)
async def wallboard_page() -> Response:
    """The supervisors' wallboard for a big screen."""
    return _serve("wallboard.html")


@router.get("/static/{name}", include_in_schema=False)
async def static_file(name: str) -> Response:
    """Scripts and styles of the pages; no auth, they hold no data."""
    return _serve(name)


@router.get("/api/me")
async def who_am_i(
    runtime: RuntimeDep, principal: Annotated[Principal, Depends(get_principal)]
) -> dict[str, Any]:
    """The caller's role and, for agent tokens, the agent's name and live presence."""
    out: dict[str, Any] = {
        "role": principal.role,
        "agent_code": principal.agent_code,
        "agent_name": None,
        "presence": None,
        "may_view_wallboard": allows(principal, "wallboard.view"),
    }
    code = principal.agent_code
    if code is None:
        return out
    try:
        out["agent_name"] = (await staff.get_agent(uow=runtime.uow, code=code)).name
    except Exception as exc:  # a name is a nicety; the desktop still works without it
        log.warning("agent %s name unavailable: %r", code, exc)
    presence = runtime.presence.get(code)
    if presence is not None:
        found = asdict(presence)
        out["presence"] = {
            "agent": code,
            "state": found["state"],
            "reason": found["reason"],
            "queues": list(found["queues"]),
            "paused_in": list(found["paused_in"]),
            "since": found["since"],
        }
    return out
