"""Staff in the database: agents with their skills, groups, and API tokens by hash and revoked."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.engine import make_engine, make_session_factory
from callcenter.adapters.db.uow import SqlUnitOfWork
from callcenter.domain.agents.records import Skill


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    eng = make_engine(database_url)
    yield eng
    await eng.dispose()


@pytest.fixture
def uow(engine: AsyncEngine) -> SqlUnitOfWork:
    return SqlUnitOfWork(make_session_factory(engine))


async def test_agents_with_skills(uow: SqlUnitOfWork) -> None:
    async with uow:
        aid = await uow.agents.add(
            code="1003",
            name="Liu Yang",
            interface="Local/1003@agents/n",
            state_interface="Custom:agent1003",
            skills=[Skill("member-hotline", 10), Skill("online-service", 9)],
        )
        await uow.agents.add(code="1001", name="Wang Fang", interface="Local/1001@agents/n")
        await uow.commit()
    async with uow:
        agent = await uow.agents.get_by_code(code="1003")
        assert agent is not None and agent.id == aid
        assert await uow.agents.get(agent_id=aid) == agent
        assert await uow.agents.get(agent_id=aid + 100) is None
        assert [(s.group_slug, s.level, s.penalty) for s in agent.skills] == [
            ("member-hotline", 10, 0),
            ("online-service", 9, 1),
        ]
        await uow.agents.set_skills(agent_id=aid, skills=[Skill("finance", 8)])
        await uow.commit()
    async with uow:
        agents = await uow.agents.list_all()
        assert [a.code for a in agents] == ["1001", "1003"]
        assert agents[0].skills == ()
        assert agents[1].skills == (Skill("finance", 8),)
        assert await uow.agents.get_by_code(code="9999") is None


async def test_groups_get(uow: SqlUnitOfWork) -> None:
    async with uow:
        group = await uow.groups.get(slug="finance")
        assert group is not None and (group.entry_point, group.name_zh) == ("8006", "金融服务组")
        assert await uow.groups.get(slug="nope") is None


async def test_tokens_by_hash_and_revoke(uow: SqlUnitOfWork) -> None:
    digest = hashlib.sha256(b"cc_secret").hexdigest()
    async with uow:
        tid = await uow.tokens.add(token_hash=digest, role="supervisor", label="wallboard")
        await uow.commit()
    async with uow:
        token = await uow.tokens.by_hash(token_hash=digest)
        assert token is not None and (token.id, token.role) == (tid, "supervisor")
        assert await uow.tokens.revoke(token_id=tid) is True
        assert await uow.tokens.revoke(token_id=tid) is False
        await uow.commit()
    async with uow:
        assert await uow.tokens.by_hash(token_hash=digest) is None
        assert [t.revoked_at is not None for t in await uow.tokens.list_all()] == [True]
