"""The database's refusals in service words: a unique key already taken is DuplicateKey."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError

from callcenter.services.errors import DuplicateKey

log = logging.getLogger(__name__)


@contextmanager
def unique(what: str) -> Iterator[None]:
    """An IntegrityError inside (a unique key taken, even concurrently) becomes DuplicateKey."""
    try:
        yield
    except IntegrityError as exc:
        log.info("%s refused by the database: %s", what, exc.orig)
        raise DuplicateKey(f"{what} is already taken") from exc
