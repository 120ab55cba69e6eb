"""Campaigns for supervisors: build a list from a CRM segment or a CSV; start, pause, stop."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from callcenter.domain.calls.facts import AgentStateChanged, Fact
from callcenter.domain.campaigns.abandon import AbandonLedger, ledger_rows
from callcenter.domain.campaigns.campaign import Campaign
from callcenter.domain.campaigns.lists import Candidate, Reject, parse_csv, screen
from callcenter.domain.campaigns.records import ListRecord
from callcenter.domain.customers.numbers import parse_caller_id
from callcenter.ports.campaigns import CampaignLedger, CampaignStore, Segments
from callcenter.ports.pbx import PbxCommands, PbxSnapshot
from callcenter.ports.uow import UowFactory
from callcenter.ports.webhooks import EventSink
from callcenter.services.campaign_dialer import CampaignDialer
from callcenter.services.errors import Conflict, InvalidField, NotFound

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuiltCampaign:
    """A stored campaign, how many records its list got, and the lines left out."""

    campaign: Campaign
    records: int
    rejects: list[Reject]


class CampaignService:
    """Stored campaigns and the dialers of the running ones (one per campaign, in this process)."""

    def __init__(
        self,
        *,
        uow: UowFactory,
        store: CampaignStore,
        ledger: CampaignLedger,
        segments: Segments,
        pbxs: Mapping[str, PbxCommands],
        region: str,
        default_zone: str,
        ring_timeout_s: float = 60.0,
        tick_s: float = 1.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        publish: EventSink | None = None,
    ) -> None:
        self._uow = uow
        self.publish = publish  # webhooks: campaign.result (attempts and dispositions)
        self.store = store
        self.ledger = ledger
        self.segments = segments
        self.pbxs = pbxs
        self.region = region
        self.default_zone = default_zone
        self.ring_timeout_s = ring_timeout_s
        self.tick_s = tick_s
        self.clock = clock
        self.sleep = sleep
        self.dialers: dict[int, tuple[str, CampaignDialer, asyncio.Task[None]]] = {}
        # Every agent's last state per PBX, so a dialer started later knows who is logged in.
        self._agents: dict[tuple[str, str], AgentStateChanged] = {}
        # (interface, member name) -> agent code, for attempts and the per-agent report
        self.agent_code: Callable[[str, str | None], str | None] | None = None
        # Whether this process may dial through a PBX: scaled out, only its AMI leader does
        # (campaign_wiring.py); a campaign started elsewhere is stored as running and the
        # leader's runner picks it up.
        self.leads: Callable[[str], bool] = lambda _pbx: True
        # Whether the PBX is logged in now: a dialer started before the login waits for its resync
        self.pbx_ready: Callable[[str], bool] = lambda _pbx: True

    # -- building -------------------------------------------------------------------------------
    async def create(
        self,
        *,
        campaign: Campaign,
        segment: str | None,
        csv_text: str | None,
        created_by: str,
    ) -> BuiltCampaign:
        """Store the campaign and its list (DNC numbers and customers left out, per line)."""
        async with self._uow() as uow:
            if await uow.groups.get(slug=campaign.group) is None:
                raise InvalidField(("group",), f"no group {campaign.group!r}")
        if (segment is None) == (csv_text is None):
            raise InvalidField(("segment",), "give either a segment or a csv list")
        if segment is not None:
            candidates, rejects, dnc_customers = await self._from_segment(segment)
        else:
            candidates, rejects = parse_csv(csv_text or "", self.region)
            dnc_customers = set()
        dnc = await self.store.dnc_among([c.number for c in candidates])
        kept, dropped = screen(candidates, dnc_numbers=dnc, dnc_customers=dnc_customers)
        rejects = sorted([*rejects, *dropped], key=lambda r: r.line)
        if not kept:
            where = "segment" if segment is not None else "csv"
            raise InvalidField((where,), "the list has no dialable number")
        source: dict[str, Any] = {"segment": segment} if segment else {"csv": len(kept)}
        stored = await self.store.add(
            replace(campaign, state="draft"), source=source, created_by=created_by
        )
        records = [
            ListRecord(0, stored.id, c.number, customer_id=c.customer_id, name=c.name) for c in kept
        ]
        count = await self.store.add_records(stored.id, records)
        return BuiltCampaign(stored, count, rejects)

    async def _from_segment(self, segment: str) -> tuple[list[Candidate], list[Reject], set[int]]:
        try:
            members = await self.segments.members(segment)
        except ValueError as exc:
            raise InvalidField(("segment",), str(exc)) from exc
        candidates, rejects, dnc = [], [], set()
        for m in members:
            parsed = parse_caller_id(m.number, self.region) if m.number else None
            if parsed is None or parsed.e164 is None:
                rejects.append(Reject(0, str(m.customer_id), "customer has no dialable number"))
                continue
            if m.do_not_call:
                dnc.add(m.customer_id)
            candidates.append(Candidate(parsed.e164, m.name, m.customer_id))
        return candidates, rejects, dnc

    # -- running ----------------------------------------------------------------------------------
    async def start(self, campaign_id: int) -> dict[str, Any]:
        """Start dialling (or resume a paused campaign); restarts pick up where the list stands."""
        summary = await self._summary(campaign_id)
        running = self.dialers.get(campaign_id)
        if running is not None and running[1].state in ("running", "paused"):
            running[1].state = "running"
            await self.store.set_state(campaign_id, "running")
            return await self.figures(campaign_id)
        if summary.campaign.state == "stopped":
            raise Conflict(f"campaign {campaign_id} was stopped; build a new one")
        if not self.pbxs:
            raise Conflict("no Asterisk server is configured to dial through")
        pbx_name = next(iter(self.pbxs))
        if not self.leads(pbx_name):
            await self.store.set_state(campaign_id, "running")
            log.info("campaign %s running; the AMI leader of %s dials it", campaign_id, pbx_name)
            return await self.figures(campaign_id)
        now = self.clock()
        await self.store.requeue_stale(
            campaign_id, next_at=now + summary.campaign.retry.delay_for("no_answer")
        )
        records = await self.store.dialable(campaign_id)
        dialer = CampaignDialer(
            campaign=replace(summary.campaign, state="running"),
            records=records,
            ledger=self.ledger,
            pbx=self.pbxs[pbx_name],
            clock=self.clock,
            region=self.region,
            default_zone=self.default_zone,
            ring_timeout_s=self.ring_timeout_s,
            publish=self.publish,
        )
        dialer.calls.agent_code = self.agent_code
        dialer.pbx_down = not self.pbx_ready(pbx_name)
        for (pbx, _), fact in list(self._agents.items()):
            if pbx == pbx_name:
                dialer.on_fact(fact)
        dialer.calls.ledger.restore(await self._answers(summary.campaign, now))
        await self.store.set_state(campaign_id, "running")
        task = asyncio.create_task(self._run(campaign_id, dialer), name=f"campaign-{campaign_id}")
        self.dialers[campaign_id] = (pbx_name, dialer, task)
        log.info("campaign %s dials from this process (through %s)", campaign_id, pbx_name)
        return await self.figures(campaign_id)

    async def _run(self, campaign_id: int, dialer: CampaignDialer) -> None:
        try:
            await dialer.run(tick_s=self.tick_s, sleep=self.sleep)
        except Exception:
            log.exception("campaign %s dialer failed", campaign_id)
            raise
        if dialer.state == "finished":
            await self.store.set_state(campaign_id, "finished")

    async def pause(self, campaign_id: int) -> dict[str, Any]:
        """No new dials; calls in the air go on."""
        await self._summary(campaign_id)
        running = self.dialers.get(campaign_id)
        if running is not None and running[1].state == "running":
            running[1].state = "paused"
        await self.store.set_state(campaign_id, "paused")
        return await self.figures(campaign_id)

    async def stop(self, campaign_id: int) -> dict[str, Any]:
        """No new dials, for good; what ended is stored."""
        await self._summary(campaign_id)
        running = self.dialers.pop(campaign_id, None)
        if running is not None:
            running[1].state = "stopped"
            await running[2]
            await running[1].store_ended()
        await self.store.set_state(campaign_id, "stopped")
        return await self.figures(campaign_id)

    async def figures(self, campaign_id: int) -> dict[str, Any]:
        """The campaign and its live figures (abandon rate per window, dial level, ...)."""
        summary = await self._summary(campaign_id)
        running = self.dialers.get(campaign_id)
        if running is not None:
            live = running[1].figures()
        else:
            ledger_rates = await self._stored_rates(summary.campaign)
            live = {
                "dialled": 0,
                "answered": 0,
                "connected": 0,
                "abandoned": 0,
                "abandon_rate": ledger_rates,
                "dial_level": 0.0,
                "agents": 0,
                "list_left": summary.left,
            }
        c = summary.campaign
        return {
            **live,
            "id": c.id,
            "name": c.name,
            "group": c.group,
            "mode": c.mode,
            "state": c.state,
            "abandon_cap_pct": c.abandon_cap_pct,
            "records": summary.records,
        }

    async def _stored_rates(self, campaign: Campaign) -> dict[str, float]:
        ledger, now = AbandonLedger(), self.clock()
        ledger.restore(await self._answers(campaign, now))
        return {name: round(r.pct, 3) for name, r in ledger.rates(now).items()}

    async def _answers(self, campaign: Campaign, now: float) -> list[tuple[float, int, int]]:
        """The last 30 days' stored answers and abandons, by the campaign's abandon rule."""
        counts = await self.store.answers_since(campaign.id, now - 30 * 86400)
        return ledger_rows(counts, machine_is_abandon=campaign.amd_false_positive_is_abandon)

    async def _summary(self, campaign_id: int) -> Any:
        summary = await self.store.get(campaign_id)
        if summary is None:
            raise NotFound(f"no campaign {campaign_id}")
        return summary

    def on_fact(self, fact: Fact) -> None:
        """Every PBX fact; each running campaign hears its own PBX's."""
        if isinstance(fact, AgentStateChanged):
            self._agents[(fact.pbx, fact.interface)] = fact
        for pbx, dialer, _ in self.dialers.values():
            if fact.pbx == pbx:
                dialer.on_fact(fact)

    def connection_changed(self, pbx: str, connected: bool) -> None:
        """A PbxWatcher: each running campaign of that PBX hears its connection drop."""
        for name, dialer, _ in self.dialers.values():
            if name == pbx:
                dialer.connection_changed(connected)

    def resynced(self, snapshot: PbxSnapshot) -> None:
        """A PbxWatcher: each running campaign of that PBX settles the dials that are gone."""
        for name, dialer, _ in self.dialers.values():
            if name == snapshot.pbx:
                dialer.resynced(snapshot)

    async def add_dnc(self, number: str, reason: str) -> str:
        """Put a number on the do-not-call list; running dialers skip it from their next dial."""
        parsed = parse_caller_id(number, self.region)
        if parsed.e164 is None:
            raise InvalidField(("number",), f"not a phone number ({parsed.reason})")
        await self.store.add_dnc(parsed.e164, reason)
        for _, dialer, _ in self.dialers.values():
            dialer.extra_dnc.add(parsed.e164)
        return parsed.e164

    async def release(self, pbx: str | None = None) -> list[int]:
        """Stop this process's dialers (of `pbx`; all with None) and store what ended; their
        campaigns keep their stored state for whoever dials next."""
        released = []
        for campaign_id, (name, dialer, task) in list(self.dialers.items()):
            if pbx is not None and name != pbx:
                continue
            dialer.state = "stopped"
            await asyncio.gather(task, return_exceptions=True)
            await dialer.store_ended()
            self.dialers.pop(campaign_id, None)
            released.append(campaign_id)
        return released

    async def aclose(self) -> None:
        """Stop every dialer of this process (their campaigns stay running in the database)."""
        await self.release()
