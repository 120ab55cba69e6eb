"""Who is calling the API: bearer token -> Principal, from a cache a reconnect storm cannot exhaust.

The first check loads every live token in one query; after that a known token never waits for the
database (it is re-checked in the background once its entry is older than the TTL), and a token
not yet known is looked up once however many sockets present it at the same moment (single-flight).
Revocations drop the token at once on this process through `forget`, which is also the hook for
revocations made on other processes (the cluster bus calls it with the revoked token's id).

Failed checks are counted per source address; a source over the limit gets `Throttled` (HTTP 429
with Retry-After) for any token not already known good, until its window has passed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from callcenter.domain.auth import Principal, hash_token, looks_like_token, parse_role
from callcenter.ports.uow import UowFactory

if TYPE_CHECKING:
    from callcenter.settings import Settings

log = logging.getLogger(__name__)

WARM_RETRY_S = 30.0  # after a failed bulk load, look tokens up one by one for this long
MAX_LOOKUPS = 8  # per-token lookups at once: the pool keeps room for everything else


class AuthUnavailable(Exception):
    """The token store did not answer in time; the caller should retry (HTTP 503)."""


class Throttled(Exception):
    """Too many failed token checks from this source; retry after `retry_after_s` (HTTP 429)."""

    def __init__(self, retry_after_s: float) -> None:
        super().__init__(f"too many failed token checks; retry in {retry_after_s:.0f} s")
        self.retry_after_s = retry_after_s


class FailureThrottle:
    """Failed checks per source in a sliding window; a source at the limit waits the window out."""

    def __init__(
        self,
        *,
        limit: int = 20,
        window_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        max_sources: int = 10_000,
    ) -> None:
        self.limit, self.window_s, self._clock = limit, window_s, clock
        self._max_sources = max_sources
        self._fails: OrderedDict[str, deque[float]] = OrderedDict()
        self.throttled = 0

    def retry_after(self, source: str | None) -> float | None:
        """Seconds the source must wait, or None when it may try."""
        fails = self._recent(source)
        if fails is None or len(fails) < self.limit:
            return None
        self.throttled += 1
        return max(1.0, self.window_s - (self._clock() - fails[0]))

    def failed(self, source: str | None) -> None:
        """Count a failed check; logged once when the source reaches the limit."""
        if source is None or self.limit <= 0:
            return
        fails = self._recent(source)
        if fails is None:
            fails = self._fails[source] = deque()
            while len(self._fails) > self._max_sources:
                self._fails.popitem(last=False)
        fails.append(self._clock())
        self._fails.move_to_end(source)
        if len(fails) == self.limit:
            log.warning(
                "%d failed token checks from %s within %.0f s: its new tokens get 429 for a while",
                self.limit,
                source,
                self.window_s,
            )

    def _recent(self, source: str | None) -> deque[float] | None:
        if source is None or self.limit <= 0:
            return None
        fails = self._fails.get(source)
        if fails is None:
            return None
        cutoff = self._clock() - self.window_s
        while fails and fails[0] <= cutoff:
            fails.popleft()
        return fails


class TokenAuthenticator:
    """Resolves tokens through a cache in front of the database (see the module docstring)."""

    def __init__(
        self,
        *,
        uow: UowFactory,
        ttl_s: float = 60.0,
        timeout_s: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
        throttle: FailureThrottle | None = None,
    ) -> None:
        self._uow = uow
        self._timeout = timeout_s
        self._ttl = ttl_s
        self._clock = clock
        self.throttle = throttle or FailureThrottle(clock=clock)
        self._cache: dict[str, tuple[float, Principal]] = {}
        self._revoked: set[int] = set()
        self._dead: set[str] = set()  # digests of tokens revoked while cached
        self._inflight: dict[str, asyncio.Task[Principal | None]] = {}
        self._lookups = asyncio.Semaphore(MAX_LOOKUPS)
        self._warm: asyncio.Task[None] | None = None
        self._warm_failed_at: float | None = None
        self.db_lookups = 0  # database round trips for single tokens (the bulk load not counted)

    @classmethod
    def from_settings(cls, uow: UowFactory, settings: Settings) -> TokenAuthenticator:
        """The authenticator with the cache and throttle settings of this process."""
        throttle = FailureThrottle(
            limit=settings.auth_fail_limit, window_s=settings.auth_fail_window_s
        )
        return cls(uow=uow, ttl_s=settings.token_cache_ttl_s, throttle=throttle)

    async def authenticate(self, token: str | None, source: str | None = None) -> Principal | None:
        """The principal for a token, or None when it is unknown, malformed or revoked.

        `source` (the client address) is throttled after too many failures: `Throttled`.
        """
        if not token:
            return None  # no credentials is not a guess
        digest = hash_token(token) if looks_like_token(token) else None
        hit = self._cache.get(digest) if digest else None
        if hit is not None and hit[1].token_id not in self._revoked:
            if self._clock() - hit[0] >= self._ttl:
                self._start_lookup(digest)  # type: ignore[arg-type]  # re-check, serve meanwhile
            return hit[1]
        wait = self.throttle.retry_after(source)
        if wait is not None:
            raise Throttled(wait)
        principal = None if digest is None or digest in self._dead else await self._resolve(digest)
        if principal is None:
            self.throttle.failed(source)
        return principal

    def forget(self, token_id: int) -> None:
        """A token was revoked (here or on another process): refuse it at once, cache or not."""
        self._revoked.add(token_id)
        gone = {k for k, v in self._cache.items() if v[1].token_id == token_id}
        self._dead |= gone  # its desktops retrying are refused without asking the database
        self._cache = {k: v for k, v in self._cache.items() if k not in gone}

    async def recheck(self) -> list[int]:
        """Ask the store which tokens are revoked (a revocation broadcast may have been missed,
        e.g. while the bus was away); forgets and returns those not known as revoked yet."""
        async with asyncio.timeout(self._timeout), self._uow() as uow:
            rows = await uow.tokens.list_all()
        missed = [r.id for r in rows if r.revoked_at is not None and r.id not in self._revoked]
        for token_id in missed:
            self.forget(token_id)
        return missed

    async def _resolve(self, digest: str) -> Principal | None:
        try:
            async with asyncio.timeout(self._timeout):
                await self._warmed()
                hit = self._cache.get(digest)
                if hit is not None:
                    return None if hit[1].token_id in self._revoked else hit[1]
                return await asyncio.shield(self._start_lookup(digest))
        except TimeoutError as exc:  # a hung database must not hang every request with it
            raise AuthUnavailable("token store did not answer in time") from exc

    async def _warmed(self) -> None:
        """Load every live token once (one query), shared by all who wait for it."""
        now = self._clock()
        if self._warm_failed_at is not None and now - self._warm_failed_at < WARM_RETRY_S:
            return
        if self._warm is None or (self._warm.done() and self._warm_failed_at is not None):
            self._warm_failed_at = None
            self._warm = asyncio.create_task(self._load_all())
        await asyncio.shield(self._warm)

    async def _load_all(self) -> None:
        try:
            async with self._uow() as uow:
                rows = await uow.tokens.list_all()
                codes = {a.id: a.code for a in await uow.agents.list_all()}
        except Exception as exc:  # one by one then; the bulk load is retried later
            log.warning("could not load the tokens in bulk (%r); checking them one by one", exc)
            self._warm_failed_at = self._clock()
            return
        now = self._clock()
        for row in rows:
            if row.revoked_at is None and row.id not in self._revoked:
                code = codes.get(row.agent_id) if row.agent_id is not None else None
                principal = _principal(row.role, row.agent_id, code, row.id)
                if principal is not None:
                    self._cache.setdefault(row.token_hash, (now, principal))

    def _start_lookup(self, digest: str) -> asyncio.Task[Principal | None]:
        task = self._inflight.get(digest)
        if task is None:
            task = asyncio.create_task(self._lookup(digest))
            self._inflight[digest] = task
            task.add_done_callback(lambda t: self._done(digest, t))
        return task

    def _done(self, digest: str, task: asyncio.Task[Principal | None]) -> None:
        self._inflight.pop(digest, None)
        if not task.cancelled() and task.exception() is not None:
            log.debug("token lookup failed: %r", task.exception())

    async def _lookup(self, digest: str) -> Principal | None:
        async with asyncio.timeout(self._timeout), self._lookups, self._uow() as uow:
            self.db_lookups += 1
            row = await uow.tokens.by_hash(token_hash=digest)
            if row is None or row.id in self._revoked:
                self._cache.pop(digest, None)
                return None
            code: str | None = None
            if row.agent_id is not None:
                agent = await uow.agents.get(agent_id=row.agent_id)
                code = agent.code if agent else None
        principal = _principal(row.role, row.agent_id, code, row.id)
        if principal is not None and row.id not in self._revoked:
            self._cache[digest] = (self._clock(), principal)
        return principal


def _principal(
    role: str, agent_id: int | None, code: str | None, token_id: int
) -> Principal | None:
    try:
        return Principal(
            role=parse_role(role), agent_id=agent_id, agent_code=code, token_id=token_id
        )
    except ValueError:  # an agent token whose agent is gone
        return None
