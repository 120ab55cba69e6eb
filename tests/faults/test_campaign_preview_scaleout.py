"""Two `callcenter serve` processes on one PostgreSQL, one Redis and one simulated Asterisk: a
preview campaign dials on the AMI leader only, yet an agent whose desktop talks to the other
process gets Next, Skip and Dial there (forwarded to the leader over the bus), and sees on the
leader the same record held for them."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from test_campaign_scaleout import _dials_here, until_attempts
from test_scaleout import _ami_logins, bus_prefix, cluster

from callcenter.adapters.db.engine import make_engine, make_session_factory
from callcenter.adapters.db.tables_campaigns import CampaignAttemptRow
from callcenter.adapters.db.uow import SqlUnitOfWork
from callcenter.services.tokens import create_token
from support.livestack import seed_floor
from support.servekit import until

__all__ = ["bus_prefix"]
NUMBERS = "\n".join(f"139{i:08d}" for i in range(1, 4))


async def _tokens(database_url: str) -> tuple[str, str]:
    engine = make_engine(database_url)
    try:
        uow = lambda: SqlUnitOfWork(make_session_factory(engine))  # noqa: E731
        sup, _ = await create_token(uow=uow, role="supervisor")
        agent, _ = await create_token(uow=uow, role="agent", agent_code="1001")
        return sup, agent
    finally:
        await engine.dispose()


async def _attempted(database_url: str) -> list[str]:
    engine = make_engine(database_url)
    try:
        async with make_session_factory(engine)() as session:
            return list(await session.scalars(select(CampaignAttemptRow.number)))
    finally:
        await engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_preview_next_skip_dial_work_from_the_process_that_is_not_the_leader(
    database_url: str, bus_prefix: str, tmp_path: Path
) -> None:
    """Figure: a preview campaign of 3 numbers for member-hotline, started on the process that
    is not the leader; agent 1001 asks that process -> Next gives a record (the leader holds
    it: the leader shows the same one), Skip gives another, Dial of it answers "dialing" and
    its attempt is stored; only the leader runs the dialer."""
    await seed_floor(database_url)
    sup, agent = await _tokens(database_url)
    async with cluster(database_url, bus_prefix, tmp_path) as (sim, nodes):
        await until(lambda: any(n.leading() for n in nodes), what="a leader")
        await until(lambda: _ami_logins(sim) == 1, what="the leader's AMI login")
        leader = next(n for n in nodes if n.leading())
        other = next(n for n in nodes if n is not leader)
        urls = {n.name: f"http://127.0.0.1:{n.port}" for n in nodes}
        async with (
            httpx.AsyncClient(base_url=urls[other.name], timeout=20) as here,
            httpx.AsyncClient(base_url=urls[leader.name], timeout=20) as there,
        ):
            boss = {"Authorization": f"Bearer {sup}"}
            body = {
                "name": "Lapsing members",
                "csv": NUMBERS,
                "group": "member-hotline",
                "mode": "preview",
                "window": {"start": "00:00", "end": "23:59:59"},
            }
            made = await here.post("/api/campaigns", json=body, headers=boss)
            assert made.status_code == 201, made.text
            cid = int(made.json()["id"])
            assert (await here.post(f"/api/campaigns/{cid}/start", headers=boss)).is_success
            await until(lambda: _dials_here(leader, cid), 20, "the leader to run the campaign")

            me = {"Authorization": f"Bearer {agent}"}
            base = f"/api/campaigns/{cid}/preview"
            shown = await here.get(base, headers=me)
            assert shown.status_code == 200, shown.text
            first = shown.json()["record"]
            assert first is not None and first["dialled"] is False
            same = await there.get(base, headers=me)
            assert same.status_code == 200 and same.json()["record"] == first

            skipped = await here.post(f"{base}/{first['record_id']}/skip", headers=me)
            assert skipped.status_code == 200, skipped.text
            second = skipped.json()["next"]
            assert second is not None and second["record_id"] != first["record_id"]
            refused = await here.post(f"{base}/{first['record_id']}/dial", headers=me)
            assert refused.status_code == 409  # not held any more: the leader's own answer

            dialled = await here.post(f"{base}/{second['record_id']}/dial", headers=me)
            assert dialled.status_code == 200, dialled.text
            assert dialled.json()["status"] == "dialing"
            await until_attempts(database_url, 1)
            assert await _attempted(database_url) == [second["number"]]
        assert not _dials_here(other, cid)
