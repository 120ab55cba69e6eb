"""Agents' work-group logins over SQL (the WorkLoginStore port); each method one transaction."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from callcenter.adapters.db.tables_work_offers import AgentWorkLoginRow as Row


class SqlWorkLogins:
    """The WorkLoginStore port on the agent_work_logins table (small: agents x their groups)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def all(self) -> dict[str, dict[str, bool]]:
        stmt = select(Row.agent_code, Row.group_slug, Row.logged_in)
        found: dict[str, dict[str, bool]] = {}
        async with self._sessions() as session:
            for code, group, logged in await session.execute(stmt):
                found.setdefault(code, {})[group] = bool(logged)
        return found

    async def for_agent(self, code: str) -> dict[str, bool]:
        stmt = select(Row.group_slug, Row.logged_in).where(Row.agent_code == code)
        async with self._sessions() as session:
            return {group: bool(logged) for group, logged in await session.execute(stmt)}

    async def choose(
        self, code: str, groups: Collection[str], *, logged_in: bool, by: str, at: datetime
    ) -> None:
        if not groups:
            return
        async with self._sessions() as session, session.begin():
            await session.execute(
                delete(Row).where(Row.agent_code == code, Row.group_slug.in_(list(groups)))
            )
            session.add_all(
                Row(
                    agent_code=code, group_slug=g, logged_in=logged_in, changed_at=at, changed_by=by
                )
                for g in groups
            )
