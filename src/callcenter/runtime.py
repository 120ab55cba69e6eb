"""The wired components of one process, as the app factory built them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

    from callcenter.adapters.agi import AgiServer
    from callcenter.adapters.ami.listener import AmiListener
    from callcenter.adapters.ami.pipeline import AmiPipeline
    from callcenter.adapters.db.uow import SqlUnitOfWork
    from callcenter.adapters.push.hub import PushHub
    from callcenter.domain.agent_directory import AgentDirectory
    from callcenter.services.auth import TokenAuthenticator
    from callcenter.services.call_store import CallStore
    from callcenter.services.call_tracking import CallTracking
    from callcenter.services.customers import Directory
    from callcenter.services.routing import RoutingService
    from callcenter.services.screen_pop import ScreenPopService
    from callcenter.settings import Settings


@dataclass
class Runtime:
    """Everything a request handler or background task may need; built once per process."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    hub: PushHub
    auth: TokenAuthenticator
    directory: Directory
    agents: AgentDirectory
    routing: RoutingService
    pops: ScreenPopService
    store: CallStore
    tracking: CallTracking
    pipelines: dict[str, AmiPipeline] = field(default_factory=dict)
    listeners: dict[str, AmiListener] = field(default_factory=dict)
    agi: AgiServer | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def uow(self) -> SqlUnitOfWork:
        """A new unit of work over this process's database."""
        from callcenter.adapters.db.uow import SqlUnitOfWork

        return SqlUnitOfWork(self.sessions)

    def agent_channel(self, code: str) -> str:
        """The push channel of one agent's desktop."""
        from callcenter.adapters.push.protocol import agent_channel

        return agent_channel(code)

    def wallboard_snapshot(self) -> dict[str, Any] | None:
        """The wallboard's current figures, when a wallboard service runs in this process."""
        board = self.extras.get("wallboard")
        return None if board is None else dict(board.snapshot())

    async def close(self) -> None:
        """Stop background work in reverse order of start, then release the database."""
        for closer in reversed(self.closers):
            await closer()
        self.closers.clear()
        await self.engine.dispose()
