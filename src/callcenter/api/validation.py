"""422 bodies that can always be sent, whatever the client put in its JSON."""

from __future__ import annotations

from typing import Any

from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response


def encodable(value: Any) -> Any:
    """The value with lone UTF-16 surrogates (JSON may spell "\\ud800") written as escapes."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {encodable(k): encodable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encodable(v) for v in value]
    return value


async def validation_error(_request: Request, exc: Exception) -> Response:
    """422 with FastAPI's usual body, made encodable (a lone surrogate made rendering it a 500)."""
    assert isinstance(exc, RequestValidationError)
    return JSONResponse(
        status_code=422,
        content=jsonable_encoder({"detail": encodable(list(exc.errors()))}),
    )
