"""Every error a service raises on purpose; api/errors.py maps each to one HTTP status."""

from __future__ import annotations


class ServiceError(Exception):
    """Base of the errors below (a request the service refused, with a reason a user can read)."""


class NotFound(ServiceError, LookupError):
    """An id or code that does not exist (404)."""


class Conflict(ServiceError):
    """The request clashes with what is stored, e.g. a duplicate member number or code (409)."""


class DuplicateKey(Conflict):
    """A store refused a row whose unique key is taken (raised by repositories, 409)."""


class Forbidden(ServiceError):
    """The caller may not do this to this object, e.g. another agent's call (403)."""


class InvalidField(ServiceError, ValueError):
    """A value that passed the schema but not the service's checks (422 naming the field)."""

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message


class PbxUnavailable(ServiceError):
    """No connected Asterisk to send the command to (503; with Retry-After when worth retrying)."""

    def __init__(self, message: str, *, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class PbxRefused(ServiceError):
    """Asterisk answered a command with an error; `message` is Asterisk's own text (502)."""

    def __init__(self, command: str, message: str) -> None:
        super().__init__(f"{command} failed: {message}")
        self.command = command
        self.message = message
