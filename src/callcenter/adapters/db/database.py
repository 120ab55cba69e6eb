"""One process's database: the engine, its session factory and units of work over it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from callcenter.adapters.db.engine import make_engine, make_session_factory
from callcenter.adapters.db.uow import SqlUnitOfWork


@dataclass(frozen=True)
class Database:
    """Built once per process (or per command) by `callcenter.bootstrap.database`."""

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    @classmethod
    def open(cls, url: str) -> Database:
        """Connect lazily: no IO happens until the first unit of work is entered."""
        engine = make_engine(url)
        return cls(engine=engine, sessions=make_session_factory(engine))

    def uow(self) -> SqlUnitOfWork:
        """A new unit of work over this database."""
        return SqlUnitOfWork(self.sessions)

    async def aclose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()
