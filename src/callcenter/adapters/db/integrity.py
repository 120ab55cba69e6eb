"""The database's refusals in service words: a unique key already taken is DuplicateKey."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError

from callcenter.services.errors import DuplicateKey

log = logging.getLogger(__name__)


def is_unique_violation(exc: IntegrityError) -> bool:
    """Whether the database refused a row for a unique key (not a CHECK or a foreign key)."""
    orig = exc.orig
    if getattr(orig, "sqlstate", None) == "23505" or getattr(orig, "pgcode", None) == "23505":
        return True  # PostgreSQL's unique_violation
    text = str(orig)
    return "UNIQUE constraint failed" in text or "violates unique constraint" in text


@contextmanager
def unique(what: str) -> Iterator[None]:
    """A unique key taken (even by a concurrent insert) inside becomes DuplicateKey.

    Any other IntegrityError (a CHECK, a foreign key) goes on as it is: that is a bug upstream.
    """
    try:
        yield
    except IntegrityError as exc:
        if not is_unique_violation(exc):
            raise
        log.info("%s refused by the database: %s", what, exc.orig)
        raise DuplicateKey(f"{what} is already taken") from exc
