"""`POST /api/reconcile`: a supervisor uploads a queue_log; the reconciliation comes back.

The queue_log is the request body (text), not a path on the server: a path would let a web user
make the server read any file it can, and in a scale-out the API node is rarely the machine
Asterisk writes its queue_log on. The body is held in memory, so it is size-limited
(`CALLCENTER_RECONCILE_MAX_BYTES`); a month belongs to `callcenter reconcile` on the command line.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status

from callcenter.api.deps import RuntimeDep, requires
from callcenter.domain.access.auth import Principal
from callcenter.services.reconcile import reconcile_text

router = APIRouter(tags=["reconcile"])


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_413_CONTENT_TOO_LARGE,
        detail=f"the queue_log is larger than {limit} bytes; use `callcenter reconcile`",
    )


def _aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


@router.post("/api/reconcile")
async def reconcile(
    request: Request,
    runtime: RuntimeDep,
    _: Annotated[Principal, Depends(requires("reports.view"))],
    since: Annotated[datetime | None, Query(description="ISO 8601; naive is UTC")] = None,
    until: Annotated[datetime | None, Query(description="end, excluded")] = None,
    tolerance: Annotated[float, Query(ge=0, le=3600)] = 1.0,
    pbx: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    """Body: the queue_log text. Answer: the findings, the summary and what was skipped."""
    start, end = _aware(since), _aware(until)
    if start is not None and end is not None and end <= start:
        raise HTTPException(status_code=422, detail="until must be after since")
    raw = await _body(request, runtime.settings.reconcile_max_bytes)
    report = await reconcile_text(
        uow=runtime.uow,
        text=raw.decode("utf-8", errors="replace"),
        since=start,
        until=end,
        tolerance_s=tolerance,
        pbx=pbx,
    )
    runtime.metrics.observe_reconcile(report.summary())
    return {
        "findings": [f.to_json() for f in report.result.findings],
        "summary": report.summary(),
        "notes": report.reading_notes(),
    }
