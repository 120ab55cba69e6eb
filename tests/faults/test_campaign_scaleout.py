"""Two `callcenter serve` processes on one PostgreSQL, one Redis and one simulated Asterisk: a
campaign started on the process that is not the AMI leader is dialled by the leader only; kill -9
of the leader: the other process wins the lock and resumes dialling the campaign."""

from __future__ import annotations

import asyncio
import re
import signal
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from test_scaleout import Node, _ami_logins, bus_prefix, cluster

from callcenter.adapters.db.engine import make_engine, make_session_factory
from callcenter.adapters.db.tables_campaigns import CampaignAttemptRow
from callcenter.adapters.db.uow import SqlUnitOfWork
from callcenter.services.tokens import create_token
from support.livestack import seed_floor
from support.servekit import until

__all__ = ["bus_prefix"]
NUMBERS = "\n".join(f"139{i:08d}" for i in range(1, 61))


async def _attempts(database_url: str) -> int:
    engine = make_engine(database_url)
    try:
        async with make_session_factory(engine)() as session:
            return int(await session.scalar(select(func.count(CampaignAttemptRow.id))) or 0)
    finally:
        await engine.dispose()


async def until_attempts(database_url: str, count: int, timeout: float = 30.0) -> None:
    """Wait until at least `count` attempts are stored."""
    async with asyncio.timeout(timeout):
        while await _attempts(database_url) < count:
            await asyncio.sleep(0.2)


def _dials_here(node: Node, cid: int) -> bool:
    """The node's log says it runs the campaign's dialer."""
    text = node.log.read_text(errors="replace")
    return bool(
        re.search(rf"campaign {cid} dials from this process", text)
        or re.search(rf"campaigns \[[^\]]*\b{cid}\b[^\]]*\] dial from this process", text)
    )


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_only_the_leader_dials_and_the_next_leader_resumes(
    database_url: str, bus_prefix: str, tmp_path: Path
) -> None:
    """Figure: a progressive campaign of 60 numbers for the hotline's 3 agents, created and
    started through the process that is not the leader -> only the leader's log says it dials
    it and attempts are stored; kill -9 of the leader -> the other process wins the lock, says
    it dials the campaign and more attempts are stored."""
    await seed_floor(database_url)
    engine = make_engine(database_url)
    token, _ = await create_token(
        uow=lambda: SqlUnitOfWork(make_session_factory(engine)), role="supervisor"
    )
    await engine.dispose()
    async with cluster(database_url, bus_prefix, tmp_path) as (sim, nodes):
        await until(lambda: any(n.leading() for n in nodes), what="a leader")
        await until(lambda: _ami_logins(sim) == 1, what="the leader's AMI login")
        leader = next(n for n in nodes if n.leading())
        other = next(n for n in nodes if n is not leader)
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{other.port}", headers=headers, timeout=20
        ) as client:
            body = {
                "name": "Lapsing members",
                "csv": NUMBERS,
                "group": "member-hotline",
                "mode": "progressive",
                "window": {"start": "00:00", "end": "23:59:59"},
            }
            made = await client.post("/api/campaigns", json=body)
            assert made.status_code == 201, made.text
            cid = int(made.json()["id"])
            started = await client.post(f"/api/campaigns/{cid}/start")
            assert started.status_code == 200, started.text

        await until(lambda: _dials_here(leader, cid), 20, "the leader to dial the campaign")
        await until_attempts(database_url, 3)
        assert not _dials_here(other, cid)
        assert "the AMI leader of pbx1 dials it" in other.log.read_text(errors="replace")

        leader.proc.send_signal(signal.SIGKILL)
        leader.proc.wait(10)
        before = await _attempts(database_url)
        await until(other.leading, 20, "the other process to take over")
        await until(lambda: _dials_here(other, cid), 20, "the new leader to resume the campaign")
        await until_attempts(database_url, before + 3)
