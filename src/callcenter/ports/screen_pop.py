"""Where the screen-pop reads a caller's record: fast, outside any unit of work."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from callcenter.domain.customers.lookup import LookupResult
from callcenter.domain.customers.screen_pop import Bundle


class PopDirectory(Protocol):
    """The caller lookup and the customer bundle (the database's Core SQL path, in production)."""

    async def lookup(self, *, raw: str | None) -> LookupResult: ...

    async def bundle(self, *, customer_id: int, now: datetime) -> Bundle: ...
