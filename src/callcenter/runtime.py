"""The wired components of one process, as the app factory built them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

    from callcenter.adapters.db.uow import SqlUnitOfWork
    from callcenter.adapters.push.hub import PushHub
    from callcenter.services.auth import TokenAuthenticator
    from callcenter.settings import Settings


@dataclass
class Runtime:
    """Everything a request handler or background task may need; built once per process."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    hub: PushHub
    auth: TokenAuthenticator
    extras: dict[str, Any] = field(default_factory=dict)
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def uow(self) -> SqlUnitOfWork:
        """A new unit of work over this process's database."""
        from callcenter.adapters.db.uow import SqlUnitOfWork

        return SqlUnitOfWork(self.sessions)

    async def close(self) -> None:
        """Stop background work in reverse order of start, then release the database."""
        for closer in reversed(self.closers):
            await closer()
        self.closers.clear()
        await self.engine.dispose()
