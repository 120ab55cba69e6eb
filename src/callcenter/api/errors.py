"""Service errors as HTTP responses: the one place that maps them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import HTTPException, status
from fastapi.exceptions import RequestValidationError

from callcenter.domain.complaints import WorkflowError
from callcenter.services.errors import (
    Conflict,
    Forbidden,
    InvalidField,
    NotFound,
    PbxRefused,
    PbxUnavailable,
)


def field_error(exc: InvalidField, where: str = "body") -> RequestValidationError:
    """A service's field complaint as the same 422 body pydantic's own errors produce."""
    return RequestValidationError(
        [{"loc": (where, *exc.loc), "msg": exc.message, "type": "value_error"}]
    )


@contextmanager
def http_errors(where: str = "body") -> Iterator[None]:
    """NotFound 404, Forbidden 403, InvalidField 422 naming the field, clashes 409,
    Asterisk refusing a command 502 (with Asterisk's message), no Asterisk 503."""
    try:
        yield
    except NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
    except Forbidden as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from exc
    except InvalidField as exc:
        raise field_error(exc, where) from exc
    except Conflict as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    except WorkflowError as exc:
        # the complaint workflow refused: say where it stands and what it may do instead
        raise HTTPException(
            status_code=status.HTTP_409_CONFLICT,
            detail={"message": str(exc), "status": exc.current, "legal": list(exc.legal)},
        ) from exc
    except PbxUnavailable as exc:
        retry = None if exc.retry_after_s is None else {"Retry-After": f"{exc.retry_after_s:.0f}"}
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc), retry) from exc
    except PbxRefused as exc:
        raise HTTPException(status.HTTP_502_BAD_GATEWAY, str(exc)) from exc
