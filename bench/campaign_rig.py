"""A campaign dialling through the simulated Asterisk over real AMI: the benches' shared rig.

The simulator plays the customers (answer / busy / no answer / congestion / machine rates, ring
and talk times) and app_queue's telemarketing queue with the bench's agents; the dialer speaks
to it only through the AMI listener, the call tracker's facts and `PbxCommands`.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import time
from typing import Any

from callcenter.adapters.ami.commands import AmiCommands
from callcenter.adapters.ami.listener import AmiListener
from callcenter.adapters.ami.pipeline import AmiPipeline
from callcenter.adapters.ami.protocol import CallCenterAMIProtocol
from callcenter.adapters.ami.translate import wanted_frame
from callcenter.domain.calls import CallTracker
from callcenter.domain.campaigns.campaign import CallingWindow, Campaign, RetryPolicy
from callcenter.domain.campaigns.records import ListRecord
from callcenter.ports.campaigns import AttemptResult
from callcenter.services.campaign_dialer import CampaignDialer
from callcenter.settings import AmiServer
from callcenter.sim.pstn import Pstn
from callcenter.sim.server import SimulatedAsterisk

SECRET = "bench"
ALL_DAY = CallingWindow(time(0, 0), time(23, 59, 59))


@dataclass
class MemoryLedger:
    """The dialer's ledger kept in memory (the bench measures pacing, not the database)."""

    dnc: set[str] = field(default_factory=set)
    dnc_customers: set[int] = field(default_factory=set)
    attempts: dict[int, AttemptResult | None] = field(default_factory=dict)
    dialled_dnc: int = 0
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    async def claim(self, *, record: ListRecord, at: float) -> int | None:
        if record.number in self.dnc or record.customer_id in self.dnc_customers:
            return None
        attempt_id = next(self._ids)
        self.attempts[attempt_id] = None
        return attempt_id

    async def claim_many(self, *, records: list[ListRecord], at: float) -> list[int | None]:
        return [await self.claim(record=r, at=at) for r in records]

    async def finish(self, result: AttemptResult) -> None:
        self.attempts[result.attempt_id] = result

    async def finish_many(self, results: list[AttemptResult]) -> None:
        for result in results:
            await self.finish(result)


class WatchedCommands(AmiCommands):
    """AMI commands that count every originate to a number on the do-not-call list right then."""

    def __init__(self, inner: AmiCommands, dnc: set[str], to_e164: Callable[[str], str]) -> None:
        super().__init__(inner._session, name=inner.name)
        self._dnc = dnc
        self._to_e164 = to_e164
        self.dnc_dialled = 0
        self.placed = 0

    async def originate_customer_first(self, **kwargs: Any) -> str:
        if self._to_e164(str(kwargs["dial"])) in self._dnc:
            self.dnc_dialled += 1
        self.placed += 1
        return await super().originate_customer_first(**kwargs)


@dataclass
class Rig:
    sim: SimulatedAsterisk
    listener: AmiListener
    pipeline: AmiPipeline
    pbx: WatchedCommands


async def start_rig(
    *,
    time_scale: float,
    rates: Mapping[str, float],
    ring_mean_s: float,
    talk_mean_s: float,
    seed: int,
    dnc: set[str],
    on_fact: Callable[[Any], None],
) -> Rig:
    """A simulator and a listener connected to it."""
    sim = SimulatedAsterisk(
        "callcenter",
        SECRET,
        time_scale=time_scale,
        noise=False,
        answer_delay_s=0.3,  # telemarketers' phones auto-answer
        seed=seed,
        with_default_members=False,
        record_calls=False,
        pstn=Pstn(rates=dict(rates), ring_mean_s=ring_mean_s, talk_mean_s=talk_mean_s),
    )
    port = await sim.start(port=0)

    def protocol() -> CallCenterAMIProtocol:
        made = CallCenterAMIProtocol()
        made.frame_filter = wanted_frame
        return made

    pipeline = AmiPipeline(
        pbx="pbx1", region="CN", tracker=CallTracker(region="CN"), on_fact=on_fact
    )
    listener = AmiListener(
        server=AmiServer(name="pbx1", port=port, secret=SECRET),  # type: ignore[arg-type]
        sink=pipeline,
        protocol_factory=protocol,
        clock=sim.now,
    )
    await listener.start()
    for _ in range(500):
        if listener.connected:
            break
        await asyncio.sleep(0.01)
    from callcenter.domain.customers.numbers import parse_caller_id

    def to_e164(dial: str) -> str:
        return parse_caller_id(dial, "CN").e164 or dial

    pbx = WatchedCommands(AmiCommands(listener, name="pbx1"), dnc, to_e164)
    return Rig(sim, listener, pipeline, pbx)


async def log_in_agents(rig: Rig, agents: int, queue: str = "telemarketing") -> None:
    """QueueAdd `agents` telemarketers (Local/2001@agents/n, …) to the campaign's queue."""
    for i in range(agents):
        ext = str(2001 + i)
        await rig.pbx.add_member(
            queue=queue,
            interface=f"Local/{ext}@agents/n",
            member_name=f"Agent {ext}",
            state_interface=None,
            penalty=0,
        )


async def stop_rig(rig: Rig) -> None:
    await rig.listener.stop()
    await rig.sim.stop()


def campaign_list(size: int, seed: int) -> list[ListRecord]:
    """`size` Chinese mobile numbers (+86139…), one customer each."""
    return [
        ListRecord(id=i + 1, campaign_id=1, number=f"+86139{seed % 10}{i:07d}", customer_id=i + 1)
        for i in range(size)
    ]


def bench_campaign(mode: str, cap_pct: float) -> Campaign:
    return Campaign(
        id=1,
        name=f"Winter catalogue ({mode})",
        mode=mode,  # type: ignore[arg-type]
        window=ALL_DAY,
        retry=RetryPolicy(max_attempts=3),
        abandon_cap_pct=cap_pct,
        caller_id_number="02161234567",
        caller_id_name="Bertelsmann Book Club",
        state="running",
    )


def make_dialer(
    rig: Rig, campaign: Campaign, records: list[ListRecord], ledger: MemoryLedger, **kw: Any
) -> CampaignDialer:
    return CampaignDialer(
        campaign=campaign,
        records=records,
        ledger=ledger,
        pbx=rig.pbx,
        clock=rig.sim.now,
        region="CN",
        default_zone="Asia/Shanghai",
        dnc_numbers=lambda: ledger.dnc,
        **kw,
    )
