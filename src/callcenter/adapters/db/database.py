"""One process's database: the engine, its session factory and units of work over it."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from callcenter.adapters.db.engine import make_engine, make_lookup_engine, make_session_factory
from callcenter.adapters.db.snapshots import MAX_LOOKUPS
from callcenter.adapters.db.uow import SqlUnitOfWork


@dataclass(frozen=True)
class Database:
    """Built once per process (or per command) by `callcenter.bootstrap.database`."""

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    lookups: AsyncEngine = field(repr=False)  # the router's reads (make_lookup_engine)

    @classmethod
    def open(cls, url: str) -> Database:
        """Connect lazily: no IO happens until the first unit of work is entered."""
        engine = make_engine(url)
        return cls(
            engine=engine,
            sessions=make_session_factory(engine),
            lookups=make_lookup_engine(engine, pool_size=MAX_LOOKUPS),
        )

    def uow(self) -> SqlUnitOfWork:
        """A new unit of work over this database."""
        return SqlUnitOfWork(self.sessions)

    async def aclose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()
        if self.lookups is not self.engine:
            await self.lookups.dispose()
