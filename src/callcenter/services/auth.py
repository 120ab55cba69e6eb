"""Who is calling the API: bearer token -> Principal; short cache, instant local revocation."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from callcenter.domain.auth import Principal, hash_token, looks_like_token, parse_role
from callcenter.ports.uow import UowFactory

log = logging.getLogger(__name__)


class AuthUnavailable(Exception):
    """The token store did not answer in time; the caller should retry (HTTP 503)."""


class TokenAuthenticator:
    """Resolves tokens through the database; brief caching rides out a database hiccup."""

    def __init__(
        self,
        *,
        uow: UowFactory,
        ttl_s: float = 30.0,
        timeout_s: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._uow = uow
        self._timeout = timeout_s
        self._ttl = ttl_s
        self._clock = clock
        self._cache: dict[str, tuple[float, Principal]] = {}
        self._revoked: set[int] = set()

    async def authenticate(self, token: str | None) -> Principal | None:
        """The principal for a token, or None when it is unknown, malformed or revoked."""
        if not token or not looks_like_token(token):
            return None
        digest = hash_token(token)
        hit = self._cache.get(digest)
        now = self._clock()
        if hit is not None and now - hit[0] < self._ttl:
            return None if hit[1].token_id in self._revoked else hit[1]
        try:
            async with asyncio.timeout(self._timeout), self._uow() as uow:
                row = await uow.tokens.by_hash(token_hash=digest)
                if row is None or row.id in self._revoked:
                    self._cache.pop(digest, None)
                    return None
                code: str | None = None
                if row.agent_id is not None:
                    agent = await uow.agents.get(agent_id=row.agent_id)
                    code = agent.code if agent else None
        except TimeoutError as exc:  # a hung database must not hang every request with it
            raise AuthUnavailable("token store did not answer in time") from exc
        principal = Principal(
            role=parse_role(row.role), agent_id=row.agent_id, agent_code=code, token_id=row.id
        )
        self._cache[digest] = (now, principal)
        return principal

    def forget(self, token_id: int) -> None:
        """A token was revoked: refuse it at once, whatever the cache holds."""
        self._revoked.add(token_id)
        self._cache = {k: v for k, v in self._cache.items() if v[1].token_id != token_id}
