"""Agent, group and API-token repositories (they flush, never commit)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from callcenter.adapters.db.integrity import unique
from callcenter.adapters.db.row_mapping import record_from_row
from callcenter.adapters.db.tables import AgentRow, AgentSkillRow, ApiTokenRow, GroupRow
from callcenter.domain.access.auth import ApiToken
from callcenter.domain.agents.records import Agent, Skill
from callcenter.domain.routing.groups import Group


class AgentRepository:
    """Agents and their skills (skill level 1-10; queue penalty = 10 - level)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        *,
        code: str,
        name: str,
        interface: str,
        state_interface: str | None = None,
        active: bool = True,
        skills: Sequence[Skill] = (),
    ) -> int:
        """Store an agent with skills; returns the id."""
        row = AgentRow(
            code=code,
            name=name,
            interface=interface,
            state_interface=state_interface,
            active=active,
        )
        self._session.add(row)
        with unique(f"agent code {code!r}"):
            await self._session.flush()
        await self._insert_skills(row.id, skills)
        return row.id

    async def _insert_skills(self, agent_id: int, skills: Sequence[Skill]) -> None:
        self._session.add_all(
            AgentSkillRow(agent_id=agent_id, group_slug=s.group_slug, level=s.level) for s in skills
        )
        await self._session.flush()

    async def _skills(self, agent_ids: list[int]) -> dict[int, tuple[Skill, ...]]:
        found: dict[int, list[Skill]] = {i: [] for i in agent_ids}
        if agent_ids:
            for s in await self._session.scalars(
                select(AgentSkillRow)
                .where(AgentSkillRow.agent_id.in_(agent_ids))
                .order_by(AgentSkillRow.level.desc(), AgentSkillRow.group_slug)
            ):
                found[s.agent_id].append(Skill(group_slug=s.group_slug, level=s.level))
        return {k: tuple(v) for k, v in found.items()}

    def _record(self, row: AgentRow, skills: tuple[Skill, ...]) -> Agent:
        return Agent(
            id=row.id,
            code=row.code,
            name=row.name,
            interface=row.interface,
            state_interface=row.state_interface,
            active=row.active,
            skills=skills,
        )

    async def get(self, *, agent_id: int) -> Agent | None:
        """The agent with this id, with skills, or None."""
        row = await self._session.get(AgentRow, agent_id)
        if row is None:
            return None
        return self._record(row, (await self._skills([row.id]))[row.id])

    async def get_by_code(self, *, code: str) -> Agent | None:
        """The agent with this code (e.g. "1001"), with skills, or None."""
        row = await self._session.scalar(select(AgentRow).where(AgentRow.code == code))
        if row is None:
            return None
        return self._record(row, (await self._skills([row.id]))[row.id])

    async def list_all(self, *, active_only: bool = False) -> list[Agent]:
        """Every agent by code, each with skills: two queries."""
        stmt = select(AgentRow).order_by(AgentRow.code)
        if active_only:
            stmt = stmt.where(AgentRow.active.is_(True))
        rows = list(await self._session.scalars(stmt))
        skills = await self._skills([r.id for r in rows])
        return [self._record(r, skills[r.id]) for r in rows]

    async def set_skills(self, *, agent_id: int, skills: Sequence[Skill]) -> None:
        """Replace the agent's skills."""
        await self._session.execute(delete(AgentSkillRow).where(AgentSkillRow.agent_id == agent_id))
        await self._insert_skills(agent_id, skills)


def group_from_row(row: GroupRow) -> Group:
    """A Group record from its ORM row."""
    return record_from_row(Group, row, routing=None)  # the rule book's part is not stored


class GroupRepository:
    """The seven functional groups (rows written by the migration)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def list_all(self) -> list[Group]:
        """Every group in entry-point order."""
        rows = await self._session.scalars(select(GroupRow).order_by(GroupRow.entry_point))
        return [group_from_row(r) for r in rows]

    async def get(self, *, slug: str) -> Group | None:
        """The group with this slug, or None."""
        row = await self._session.get(GroupRow, slug)
        return None if row is None else group_from_row(row)


def token_from_row(row: ApiTokenRow) -> ApiToken:
    """An ApiToken record from its ORM row."""
    return record_from_row(ApiToken, row)


class TokenRepository:
    """API tokens, kept only as sha256 hashes."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        *,
        token_hash: str,
        role: str,
        agent_id: int | None = None,
        label: str | None = None,
        now: datetime | None = None,
    ) -> int:
        """Store a token hash; returns its id."""
        row = ApiTokenRow(
            token_hash=token_hash,
            role=role,
            agent_id=agent_id,
            label=label,
            created_at=now or datetime.now(UTC),
        )
        self._session.add(row)
        await self._session.flush()
        return row.id

    async def by_hash(self, *, token_hash: str) -> ApiToken | None:
        """The unrevoked token with this hash, or None."""
        row = await self._session.scalar(
            select(ApiTokenRow).where(
                ApiTokenRow.token_hash == token_hash, ApiTokenRow.revoked_at.is_(None)
            )
        )
        return None if row is None else token_from_row(row)

    async def revoke(self, *, token_id: int, now: datetime | None = None) -> bool:
        """Revoke a token; False when there is no such unrevoked token."""
        result = await self._session.execute(
            update(ApiTokenRow)
            .where(ApiTokenRow.id == token_id, ApiTokenRow.revoked_at.is_(None))
            .values(revoked_at=now or datetime.now(UTC))
            .returning(ApiTokenRow.id)
            .execution_options(synchronize_session=False)
        )
        return result.scalar_one_or_none() is not None

    async def list_all(self) -> list[ApiToken]:
        """Every token (revoked ones too), newest first."""
        rows = await self._session.scalars(
            select(ApiTokenRow).order_by(ApiTokenRow.created_at.desc(), ApiTokenRow.id.desc())
        )
        return [token_from_row(r) for r in rows]
