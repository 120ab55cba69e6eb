"""Campaigns dial on one process only, the AMI leader (advisory lock), with the simulated
Asterisk over real AMI: a campaign started, paused, resumed or stopped on another process is
dialled, paused, resumed or stopped by the leader; that other process never dials. On
PostgreSQL, when the leader gives the lock up the next one resumes the campaign."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from test_campaign_dialing import (
    NUMBERS,
    Floor,
    _agents,
    _attempts,
    _campaign,
    _until,
    dialled_one_at_a_time,
    floor,
)

from callcenter.adapters.ami.leader import AmiLeader, asyncpg_dsn
from callcenter.adapters.db.repo_campaign_desk import SqlCampaignDesk
from callcenter.services.campaign_desk import CampaignDesk
from callcenter.services.campaign_runner import CampaignRunner
from callcenter.services.campaigns import CampaignService

__all__ = ["floor"]


class SharedListener:
    """The floor's one AMI listener stands for each process's (it is already running)."""

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None


@dataclass
class Node:
    """One process's campaign side: its service, desk and runner."""

    service: CampaignService
    runner: CampaignRunner
    leader: AmiLeader | None = None

    async def lead(self, database_url: str) -> None:
        self.leader = AmiLeader(
            pbx="pbx1",
            listener=SharedListener(),
            database_url=database_url,
            retry_s=0.1,
            check_s=0.1,
            on_change=self.runner.changed,
        )
        await self.leader.start()


def _node(floor: Floor) -> Node:
    service = floor.service()
    desk = CampaignDesk(
        campaigns=service, store=SqlCampaignDesk(floor.db.sessions), uow=floor.db.uow
    )
    runner = CampaignRunner(desk=desk, poll_s=0.1)
    service.leads = runner.leads
    return Node(service, runner)


async def _close(*nodes: Node) -> None:
    for node in nodes:
        if node.leader is not None:
            await node.leader.stop()
        await node.runner.aclose()


async def test_only_the_leader_dials_what_any_process_starts_pauses_or_stops(
    floor: Floor, database_url: str
) -> None:
    """Figure: process B (no lock) starts a progressive campaign of 24 numbers -> A (the
    leader) dials it, B never holds a dialer; B pauses it -> no Originate for 20 simulated s;
    B resumes it -> A dials again; B stops it -> A's dialer is gone, stored state stopped."""
    a, b = _node(floor), _node(floor)
    try:
        await a.lead(database_url)
        await _agents(floor, 2)
        built = await b.service.create(
            campaign=_campaign(), segment=None, csv_text="\n".join(NUMBERS), created_by="test"
        )
        cid = built.campaign.id
        figures = await b.service.start(cid)
        assert figures["state"] == "running" and b.service.dialers == {}
        await _until(floor, lambda: len(floor.watch.originated) >= 2, 60)
        assert cid in a.service.dialers and b.service.dialers == {}

        await b.service.pause(cid)
        await _until(floor, lambda: a.service.dialers[cid][1].state == "paused", 10)
        paused_at = len(floor.watch.originated)
        await floor.sim.sleep(20)
        assert len(floor.watch.originated) == paused_at

        await b.service.start(cid)
        await _until(floor, lambda: len(floor.watch.originated) > paused_at, 60)
        await b.service.stop(cid)
        await _until(floor, lambda: cid not in a.service.dialers, 10)
        assert (await a.service.figures(cid))["state"] == "stopped"
        assert b.service.dialers == {}
    finally:
        await _close(a, b)


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_new_leader_resumes_the_campaign(floor: Floor, database_url: str) -> None:
    """Figure: A leads and dials; A gives the lock up after 6 dials -> A's dialer stops at
    once, B wins the lock and resumes the campaign to its end; every attempt of A's is kept and
    no number is ever originated while its previous call is still up."""
    assert asyncpg_dsn(database_url) is not None
    a, b = _node(floor), _node(floor)
    try:
        await a.lead(database_url)
        await _until(floor, lambda: a.runner.leads("pbx1"), 10)
        await b.lead(database_url)
        await _agents(floor, 2)
        built = await a.service.create(
            campaign=_campaign(), segment=None, csv_text="\n".join(NUMBERS), created_by="test"
        )
        cid = built.campaign.id
        await b.service.start(cid)  # B is no leader: stored as running, A dials
        await _until(floor, lambda: len(floor.watch.originated) >= 6, 60)
        assert b.service.dialers == {}
        assert a.leader is not None
        await a.leader.stop()  # A gives the lock up (a shutdown, a lost lock connection)
        assert a.runner.leads("pbx1") is False
        await _until(floor, lambda: a.service.dialers == {}, 10)
        before = await _attempts(floor.db)
        handed_over = len(floor.watch.originated)
        await _until(floor, lambda: cid in b.service.dialers, 30)
        dialler = b.service.dialers[cid][1]
        await _until(floor, lambda: dialler.state == "finished", 900)
        assert len(floor.watch.originated) > handed_over
        after = await _attempts(floor.db)
        assert {x.id for x in before} <= {x.id for x in after}
        seen = dialled_one_at_a_time(floor.watch)
        assert set(seen) == set(NUMBERS)
    finally:
        await _close(a, b)
