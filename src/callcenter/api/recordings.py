"""Recordings: play a call's recording with HTTP Range requests; pause/resume the live one."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.responses import Response, StreamingResponse
from pydantic import StringConstraints

from callcenter.api.agent_control import Code
from callcenter.api.deps import RuntimeDep, authenticate_request, get_principal
from callcenter.api.errors import http_errors
from callcenter.api.fields import ONE_LINE
from callcenter.domain.access.auth import Principal
from callcenter.services.recordings import RecordingService

router = APIRouter(tags=["recordings"])
PathPart = Annotated[str, StringConstraints(min_length=1, max_length=64), ONE_LINE]
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
TICKET_TTL_S = 300
EAGER_BYTES = 1024 * 1024  # ranges up to this are read at once and sent in one piece
_KEY = secrets.token_bytes(32)  # play links are good in the process that made them


async def get_recordings(runtime: RuntimeDep) -> RecordingService:
    """The recordings service of this process (built by the bootstrap)."""
    if runtime.recordings is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "recordings are not running")
    return runtime.recordings


RecordingsDep = Annotated[RecordingService, Depends(get_recordings)]


def make_ticket(principal: Principal, pbx: str, linkedid: str, now: float | None = None) -> str:
    """A short-lived play link for one call's recording (the <audio> element sends no header)."""
    body = {
        "r": principal.role,
        "a": principal.agent_id,
        "c": principal.agent_code,
        "t": principal.token_id,
        "p": pbx,
        "l": linkedid,
        "e": int((now or time.time()) + TICKET_TTL_S),
    }
    raw = base64.urlsafe_b64encode(json.dumps(body, separators=(",", ":")).encode()).decode()
    sig = hmac.new(_KEY, raw.encode(), hashlib.sha256).hexdigest()[:32]
    return f"{raw}.{sig}"


def read_ticket(ticket: str, pbx: str, linkedid: str) -> Principal | None:
    """The principal a valid, unexpired ticket for this call was made for."""
    raw, _, sig = ticket.partition(".")
    good = hmac.new(_KEY, raw.encode(), hashlib.sha256).hexdigest()[:32]
    if not hmac.compare_digest(sig.encode(), good.encode()):  # bytes: any text is compared
        return None
    try:
        body = json.loads(base64.urlsafe_b64decode(raw.encode()))
        if body["p"] != pbx or body["l"] != linkedid or body["e"] < time.time():
            return None
        return Principal(
            role=body["r"], agent_id=body["a"], agent_code=body["c"], token_id=body["t"]
        )
    except (ValueError, KeyError, TypeError):
        return None


async def listener(
    request: Request, runtime: RuntimeDep, pbx: PathPart, linkedid: PathPart,
    ticket: Annotated[str | None, Query(max_length=1000)] = None,
) -> Principal:  # fmt: skip
    """Who is asking: a bearer token, or a play link made for this call."""
    if ticket:
        principal = read_ticket(ticket, pbx, linkedid)
        if principal is None:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "the play link is invalid or expired")
        return principal
    found = await authenticate_request(request, runtime)
    if found is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "a valid bearer token is required",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return found


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(start, end inclusive) of one `bytes=` range; None: the whole file; 416: unsatisfiable."""
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if match is None:
        return None  # several ranges or another unit: the whole file (RFC 9110 allows it)
    first, last = match.groups()
    if first == "" and last == "":
        return None
    if first == "":
        start, end = max(0, size - int(last)), size - 1
    else:
        start = int(first)
        end = min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        raise HTTPException(
            status.HTTP_416_RANGE_NOT_SATISFIABLE,
            "the range is outside the recording",
            headers={"Content-Range": f"bytes */{size}"},
        )
    return start, end


@router.get("/api/calls/{pbx}/{linkedid}/recording", response_model=None)
async def play(
    pbx: PathPart,
    linkedid: PathPart,
    request: Request,
    recordings: RecordingsDep,
    by: Annotated[Principal, Depends(listener)],
) -> Response:
    """The call's recording (audio/wav); Range requests get 206; 404 says why there is none."""
    with http_errors():
        facts = await recordings.recording(pbx=pbx, linkedid=linkedid, by=by)
    size = facts.size_bytes
    wanted = byte_range(request.headers.get("range"), size)
    start, end = wanted if wanted is not None else (0, size - 1)
    length = max(0, end - start + 1)
    what = f"bytes {start}-{end}/{size}" if wanted is not None else f"whole file ({size} bytes)"
    await recordings.audit_access(pbx=pbx, linkedid=linkedid, by=by, what=what)
    headers = {
        "Accept-Ranges": "bytes",
        "Content-Length": str(length),
        "ETag": f'"{facts.etag}"',
        "Cache-Control": "private, no-store",
    }
    if wanted is not None:
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    code = status.HTTP_206_PARTIAL_CONTENT if wanted else status.HTTP_200_OK
    if length <= EAGER_BYTES:  # a seek: one read, one send, no streaming task per request
        with http_errors():
            body = await recordings.read_bytes(facts, start, length)
        return Response(body, status_code=code, media_type="audio/wav", headers=headers)
    return StreamingResponse(
        recordings.read(facts, start, length), status_code=code, media_type="audio/wav",
        headers=headers,
    )  # fmt: skip


@router.post("/api/calls/{pbx}/{linkedid}/recording/link")
async def play_link(
    pbx: PathPart,
    linkedid: PathPart,
    recordings: RecordingsDep,
    by: Annotated[Principal, Depends(get_principal)],
) -> dict[str, Any]:
    """A play link for the browser's <audio> element, good for a few minutes (access checked)."""
    with http_errors():
        facts = await recordings.recording(pbx=pbx, linkedid=linkedid, by=by)
    ticket = make_ticket(by, pbx, linkedid)
    return {
        "url": f"/api/calls/{pbx}/{linkedid}/recording?ticket={ticket}",
        "size_bytes": facts.size_bytes,
        "expires_in_s": TICKET_TTL_S,
    }


@router.post("/api/agents/{code}/recording/pause")
async def pause_recording(
    code: Code, recordings: RecordingsDep, by: Annotated[Principal, Depends(get_principal)]
) -> dict[str, Any]:
    """Pause the recording of the agent's live call (card numbers); noted on the call's record."""
    with http_errors():
        linkedid = await recordings.mute(code=code, muted=True, by=by)
    return {"agent": code, "linkedid": linkedid, "recording": "paused"}


@router.post("/api/agents/{code}/recording/resume")
async def resume_recording(
    code: Code, recordings: RecordingsDep, by: Annotated[Principal, Depends(get_principal)]
) -> dict[str, Any]:
    """Resume the recording of the agent's live call."""
    with http_errors():
        linkedid = await recordings.mute(code=code, muted=False, by=by)
    return {"agent": code, "linkedid": linkedid, "recording": "recording"}
