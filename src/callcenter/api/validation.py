"""A route class whose 422 bodies can always be sent, whatever the client put in its JSON."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response


def encodable(value: Any) -> Any:
    """The value with lone UTF-16 surrogates (JSON may spell "\\ud800") written as escapes."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {encodable(k): encodable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encodable(v) for v in value]
    return value


class EchoSafeRoute(APIRoute):
    """A route whose 422 echoes bad input safely (a lone surrogate made rendering it a 500)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The usual handler, with validation errors made encodable before they are rendered."""
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                raise RequestValidationError(
                    [encodable(e) for e in exc.errors()], body=encodable(exc.body)
                ) from None

        return guarded
