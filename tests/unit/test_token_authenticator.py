"""Token checks under a sick database: a hung store gives 'retry' quickly, never a hung request."""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Any

import pytest

from callcenter.domain.access.auth import ApiToken, hash_token, new_token
from callcenter.services.auth import AuthUnavailable, TokenAuthenticator


class _Tokens:
    def __init__(self, rows: dict[str, ApiToken], hang: asyncio.Event | None) -> None:
        self.rows, self.hang = rows, hang

    async def by_hash(self, *, token_hash: str) -> ApiToken | None:
        if self.hang is not None:
            await self.hang.wait()  # a database that accepted the query and went silent
        return self.rows.get(token_hash)


class _Uow:
    """Just enough of the unit of work for the authenticator: tokens, no agents needed."""

    def __init__(self, tokens: _Tokens) -> None:
        self.tokens = tokens

    async def __aenter__(self) -> _Uow:
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None


def _row(token: str, token_id: int = 7) -> ApiToken:
    from datetime import UTC, datetime

    return ApiToken(
        id=token_id,
        token_hash=hash_token(token),
        role="supervisor",
        agent_id=None,
        label=None,
        created_at=datetime.now(UTC),
        revoked_at=None,
    )


def _auth(tokens: _Tokens, timeout_s: float = 0.05) -> TokenAuthenticator:
    uow: Any = lambda: _Uow(tokens)  # noqa: E731
    return TokenAuthenticator(uow=uow, timeout_s=timeout_s)


async def test_known_token_is_cached_and_survives_a_later_hang() -> None:
    token = new_token()
    tokens = _Tokens({hash_token(token): _row(token)}, hang=None)
    auth = _auth(tokens)
    first = await auth.authenticate(token)
    assert first is not None and first.role == "supervisor"
    tokens.hang = asyncio.Event()  # the database stops answering
    assert await auth.authenticate(token) == first  # the cache carries the request


async def test_hung_store_raises_unavailable_within_the_timeout() -> None:
    token = new_token()
    auth = _auth(_Tokens({hash_token(token): _row(token)}, hang=asyncio.Event()))
    async with asyncio.timeout(1.0):  # the bound is the authenticator's 0.05 s, not this
        with pytest.raises(AuthUnavailable):
            await auth.authenticate(token)


async def test_garbage_unknown_and_revoked_tokens_are_refused() -> None:
    token = new_token()
    auth = _auth(_Tokens({hash_token(token): _row(token, token_id=9)}, hang=None))
    assert await auth.authenticate(None) is None
    assert await auth.authenticate("not a token") is None
    assert await auth.authenticate(new_token()) is None
    assert await auth.authenticate(token) is not None
    auth.forget(9)  # revoked through this process
    assert await auth.authenticate(token) is None
