"""A campaign dialling through the simulated Asterisk over real AMI, stored on SQLite and
PostgreSQL: do-not-call numbers added while queued are never dialled; a restart mid-campaign
keeps its attempts and never has one number in two calls at once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sim_client import SECRET
from sqlalchemy import select

from callcenter.adapters.ami.commands import AmiCommands
from callcenter.adapters.ami.listener import AmiListener
from callcenter.adapters.ami.pipeline import AmiPipeline
from callcenter.adapters.ami.protocol import CallCenterAMIProtocol
from callcenter.adapters.ami.translate import wanted_frame
from callcenter.adapters.db.campaign_segments import SqlSegments
from callcenter.adapters.db.database import Database
from callcenter.adapters.db.repo_campaigns import SqlCampaigns
from callcenter.adapters.db.tables_campaigns import CampaignAttemptRow
from callcenter.domain.calls import CallTracker
from callcenter.domain.calls import facts as f
from callcenter.domain.campaigns.campaign import CallingWindow, Campaign, RetryPolicy
from callcenter.domain.customers.numbers import parse_caller_id
from callcenter.ports.pbx import PbxSnapshot
from callcenter.services.campaigns import CampaignService
from callcenter.settings import AmiServer
from callcenter.sim.pstn import Pstn
from callcenter.sim.server import SimulatedAsterisk

SCALE = 0.05  # one simulated second takes 50 ms
NUMBERS = [f"+86139{i:08d}" for i in range(1, 25)]


@dataclass
class Watch:
    """What reached Asterisk: each originate's number and time, each call's end."""

    sim: SimulatedAsterisk
    originated: list[tuple[str, float]] = field(default_factory=list)
    ended: list[tuple[str, float]] = field(default_factory=list)

    def on_fact(self, fact: Any) -> None:
        if isinstance(fact, f.CallEnded) and fact.record.caller:
            self.ended.append((fact.record.caller, self.sim.now()))


class Counted(AmiCommands):
    def __init__(self, inner: AmiCommands, watch: Watch) -> None:
        super().__init__(inner._session, name=inner.name)
        self.watch = watch

    async def originate_customer_first(self, **kw: Any) -> str:
        number = parse_caller_id(str(kw["dial"]), "CN").e164 or ""
        self.watch.originated.append((number, self.watch.sim.now()))
        return await super().originate_customer_first(**kw)


@dataclass
class Watchers:
    """A PbxWatcher for every campaign service the test builds (as bootstrap wires one)."""

    services: list[CampaignService]

    def connection_changed(self, pbx: str, connected: bool) -> None:
        for service in self.services:
            service.connection_changed(pbx, connected)

    def resynced(self, snapshot: PbxSnapshot) -> None:
        for service in self.services:
            service.resynced(snapshot)


@dataclass
class Floor:
    db: Database
    sim: SimulatedAsterisk
    listener: AmiListener
    pbx: Counted
    watch: Watch
    services: list[CampaignService]
    pipeline: AmiPipeline | None = None

    def service(self) -> CampaignService:
        """A campaign service as a fresh process would build it (facts go to the newest)."""
        store = SqlCampaigns(self.db.sessions)
        made = CampaignService(
            uow=self.db.uow,
            store=store,
            ledger=store,
            segments=SqlSegments(self.db.sessions),
            pbxs={"pbx1": self.pbx},
            region="CN",
            default_zone="Asia/Shanghai",
            ring_timeout_s=8.0,
            tick_s=0.5,
            clock=self.sim.now,
            sleep=self.sim.sleep,
        )
        self.services.append(made)
        return made


@pytest.fixture
async def floor(database_url: str) -> AsyncIterator[Floor]:
    sim = SimulatedAsterisk(
        "callcenter",
        SECRET,
        time_scale=SCALE,
        noise=False,
        answer_delay_s=0.3,
        seed=3,
        with_default_members=False,
        record_calls=False,
        pstn=Pstn(rates={"answer": 0.6, "busy": 0.4}, ring_mean_s=2.0, talk_mean_s=6.0),
    )
    port = await sim.start(port=0)
    watch = Watch(sim)
    services: list[CampaignService] = []

    def on_fact(fact: Any) -> None:
        watch.on_fact(fact)
        for service in services:  # every process hears its PBX
            service.on_fact(fact)

    def protocol() -> CallCenterAMIProtocol:
        made = CallCenterAMIProtocol()
        made.frame_filter = wanted_frame
        return made

    pipeline = AmiPipeline(pbx="pbx1", tracker=CallTracker(region="CN"), on_fact=on_fact)
    pipeline.watchers.append(Watchers(services))
    listener = AmiListener(
        server=AmiServer(name="pbx1", port=port, secret=SECRET),  # type: ignore[arg-type]
        sink=pipeline,
        protocol_factory=protocol,
    )
    await listener.start()
    for _ in range(500):
        if listener.connected:
            break
        await asyncio.sleep(0.01)
    pbx = Counted(AmiCommands(listener, name="pbx1"), watch)
    db = Database.open(database_url)
    try:
        yield Floor(db, sim, listener, pbx, watch, services, pipeline)
    finally:
        for service in services:
            await service.aclose()
        await listener.stop()
        await sim.stop()
        await db.aclose()


async def _agents(floor: Floor, count: int) -> None:
    for i in range(count):
        ext = str(2001 + i)
        await floor.pbx.add_member(
            queue="telemarketing",
            interface=f"Local/{ext}@agents/n",
            member_name=f"Agent {ext}",
            state_interface=None,
            penalty=0,
        )


def _campaign(mode: str = "progressive") -> Campaign:
    from datetime import time

    return Campaign(
        id=0,
        name="Winter catalogue",
        mode=mode,  # type: ignore[arg-type]
        window=CallingWindow(time(0, 0), time(23, 59, 59)),
        retry=RetryPolicy(
            max_attempts=3,
            delays_s={"busy": 3, "no_answer": 60, "machine": 3, "congestion": 3, "dropped": 3},
        ),
        connect_within_s=30.0,
    )


def dialled_one_at_a_time(watch: Watch) -> set[str]:
    """The numbers originated, each never again before its previous call had ended."""
    ends: dict[str, list[float]] = {}
    for number, at in watch.ended:
        ends.setdefault(number, []).append(at)
    seen: dict[str, float] = {}
    for number, at in watch.originated:
        if number in seen:
            previous_end = min((e for e in ends.get(number, []) if e >= seen[number]), default=None)
            assert previous_end is not None and previous_end <= at, number
        seen[number] = at
    return set(seen)


async def _until(floor: Floor, check: Any, sim_s: float) -> None:
    end = floor.sim.now() + sim_s
    while not check():
        assert floor.sim.now() < end, "not in time"
        await floor.sim.sleep(0.5)


async def _attempts(db: Database) -> list[CampaignAttemptRow]:
    async with db.sessions() as session:
        return list(await session.scalars(select(CampaignAttemptRow)))


async def test_numbers_put_on_dnc_while_queued_are_never_dialled(floor: Floor) -> None:
    """Figure: 24 numbers, 2 agents, progressive; after the first 4 dials, 6 numbers still
    queued go on the do-not-call list (3 through the service, 3 straight into the table as
    another process would) -> the campaign finishes and none of the 6 was ever originated."""
    service = floor.service()
    await _agents(floor, 2)
    built = await service.create(
        campaign=_campaign(), segment=None, csv_text="\n".join(NUMBERS), created_by="test"
    )
    await service.start(built.campaign.id)
    await _until(floor, lambda: len(floor.watch.originated) >= 4, 60)
    dialled = {n for n, _ in floor.watch.originated}
    late = [n for n in NUMBERS[-12:] if n not in dialled][:6]
    assert len(late) == 6
    for number in late[:3]:
        await service.add_dnc(number, "asked on another call")
    for number in late[3:]:
        assert await service.store.add_dnc(number, "added by another process")
    dialler = service.dialers[built.campaign.id][1]
    await _until(floor, lambda: dialler.state == "finished", 600)
    originated = [n for n, _ in floor.watch.originated]
    assert not set(late) & set(originated)
    assert set(originated) == set(NUMBERS) - set(late)
    figures = await service.figures(built.campaign.id)
    assert figures["skipped_dnc"] >= 3  # the table's three were caught at claim time


async def test_a_restart_keeps_attempts_and_never_dials_a_number_in_a_live_call(
    floor: Floor,
) -> None:
    """Figure: the process dies after 6 dials (no stop, nothing stored after); a new process
    starts the same campaign -> every attempt before the crash is still stored, the numbers
    whose calls were in the air wait the no-answer delay, and no number is ever originated
    while its previous call is still up."""
    first = floor.service()
    second = floor.service()  # the process that takes over (it hears the PBX like any other)
    await _agents(floor, 2)
    built = await first.create(
        campaign=_campaign(), segment=None, csv_text="\n".join(NUMBERS), created_by="test"
    )
    cid = built.campaign.id
    await first.start(cid)
    await _until(floor, lambda: len(floor.watch.originated) >= 6, 60)
    _, _, task = first.dialers.pop(cid)
    task.cancel()  # the process dies: no stop, no last write
    await asyncio.gather(task, return_exceptions=True)
    before = await _attempts(floor.db)
    assert len(before) >= 6
    await second.start(cid)
    after_dialler = second.dialers[cid][1]
    await _until(floor, lambda: after_dialler.state == "finished", 900)
    after = await _attempts(floor.db)
    assert {a.id for a in before} <= {a.id for a in after}
    # No number originated again before its previous call ended.
    seen = dialled_one_at_a_time(floor.watch)
    assert set(seen) == set(NUMBERS)
