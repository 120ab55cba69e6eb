"""Campaigns at the desk and on the floor: the pop's campaign part, dispositions, caps, resume."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from callcenter.domain.access.auth import MANAGERS, Principal
from callcenter.domain.campaigns.campaign import DISPOSITIONS, joinable
from callcenter.domain.campaigns.records import ListRecord, after_disposition
from callcenter.domain.orders import OrderItem
from callcenter.domain.webhooks import campaign_result_event
from callcenter.ports.campaigns import CampaignDeskStore
from callcenter.ports.uow import UowFactory
from callcenter.services import sales
from callcenter.services.campaign_dialer import CampaignDialer
from callcenter.services.campaign_report import report_rows
from callcenter.services.campaigns import CampaignService
from callcenter.services.errors import Forbidden, InvalidField, NotFound

log = logging.getLogger(__name__)


class CampaignDesk:
    """What agents and supervisors do with campaigns beyond building and starting them."""

    def __init__(
        self,
        *,
        campaigns: CampaignService,
        store: CampaignDeskStore,
        uow: UowFactory,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.campaigns = campaigns
        self.store = store
        self._uow = uow
        self.clock = clock
        # agent code -> (campaign id, record) of the preview record they hold or dialled
        self.previewing: dict[str, tuple[int, ListRecord]] = {}
        self.preview_attempts: dict[str, int] = {}  # agent code -> attempt id of their dial

    # -- a process starting ---------------------------------------------------------------
    async def resume(self) -> list[int]:
        """Start the dialers of every campaign stored as running (after a restart)."""
        resumed = []
        for campaign_id in await self.store.running_ids():
            if campaign_id in self.campaigns.dialers:
                continue
            try:
                await self.campaigns.start(campaign_id)
            except Exception:  # one campaign that cannot run must not stop the others
                log.exception("campaign %s could not be resumed", campaign_id)
                continue
            resumed.append(campaign_id)
        return resumed

    # -- agents joining ------------------------------------------------------------------------
    async def joinable(self, agent_code: str) -> list[dict[str, Any]]:
        """The running campaigns the agent may join: those of the groups they have skills in."""
        async with self._uow() as uow:
            agent = await uow.agents.get_by_code(code=agent_code)
        if agent is None:
            raise NotFound(f"no agent {agent_code!r}")
        running = []
        for campaign_id in await self.store.running_ids():
            summary = await self.campaigns.store.get(campaign_id)
            if summary is not None:
                running.append(summary.campaign)
        groups = {skill.group_slug for skill in agent.skills}
        return [
            {"id": c.id, "name": c.name, "group": c.group, "mode": c.mode, "state": c.state}
            for c in joinable(running, groups)
        ]

    # -- supervisors --------------------------------------------------------------------------
    async def set_caps(
        self,
        campaign_id: int,
        *,
        abandon_cap_pct: float | None,
        dial_level_cap: float | None,
        clear_level_cap: bool = False,
    ) -> dict[str, Any]:
        """Change the abandon cap and / or the dial level cap; a running dialer obeys at once."""
        summary = await self.campaigns.store.get(campaign_id)
        if summary is None:
            raise NotFound(f"no campaign {campaign_id}")
        c = summary.campaign
        try:
            changed = replace(
                c,
                abandon_cap_pct=c.abandon_cap_pct if abandon_cap_pct is None else abandon_cap_pct,
                dial_level_cap=None
                if clear_level_cap
                else (c.dial_level_cap if dial_level_cap is None else dial_level_cap),
            )
        except ValueError as exc:
            field = "dial_level_cap" if "dial_level" in str(exc) else "abandon_cap_pct"
            raise InvalidField((field,), str(exc)) from exc
        await self.store.set_caps(
            campaign_id,
            abandon_cap_pct=changed.abandon_cap_pct,
            dial_level_cap=changed.dial_level_cap,
        )
        dialer = self._dialer(campaign_id)
        if dialer is not None:
            dialer.campaign = replace(
                dialer.campaign,
                abandon_cap_pct=changed.abandon_cap_pct,
                dial_level_cap=changed.dial_level_cap,
            )
        return await self.figures(campaign_id)

    async def figures(self, campaign_id: int) -> dict[str, Any]:
        """The campaign's live figures with its sales and its dial level cap."""
        figures = await self.campaigns.figures(campaign_id)
        tallies = await self.store.tallies(campaign_id)
        summary = await self.campaigns.store.get(campaign_id)
        return {
            **figures,
            "sales": sum(t.dispositions.get("sale", 0) for t in tallies),
            "dial_level_cap": summary.campaign.dial_level_cap if summary else None,
        }

    async def listing(self, states: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """The live figures of every campaign in these states (all with None), oldest first."""
        return [await self.figures(cid) for cid in await self.store.ids(states)]

    async def report_rows(self, campaign_id: int) -> list[list[str]]:
        """The per-agent report (see services/campaign_report.py)."""
        await self.figures(campaign_id)  # NotFound for an unknown campaign
        summary = await self.campaigns.store.get(campaign_id)
        rule = summary is not None and summary.campaign.amd_false_positive_is_abandon
        return report_rows(await self.store.tallies(campaign_id), machine_is_abandon=rule)

    # -- the agent's pop and disposition ----------------------------------------------------
    def pop_for(self, pbx: str, linkedid: str, agent_code: str | None) -> dict[str, Any] | None:
        """The campaign part of a screen-pop: the record, script, offer and dispositions."""
        for pbx_name, dialer, _ in self.campaigns.dialers.values():
            if pbx_name != pbx:
                continue
            number = dialer.calls.by_linkedid.get(linkedid)
            attempt = dialer.calls.by_number.get(number) if number else None
            if attempt is not None:
                return _pop(dialer, attempt.record)
        held = self.previewing.get(agent_code or "")
        if held is not None:
            previewed = self._dialer(held[0])
            if previewed is not None:
                return _pop(previewed, held[1])
        return None

    async def dispose(
        self,
        *,
        campaign_id: int,
        record_id: int,
        code: str,
        by: Principal,
        callback_at: datetime | None = None,
        items: Sequence[OrderItem] = (),
    ) -> dict[str, Any]:
        """Close (or reschedule) the record: a sale files an order, do-not-call lists the number."""
        if code not in DISPOSITIONS:
            raise InvalidField(("code",), f"unknown disposition {code!r}; one of {DISPOSITIONS}")
        record = await self.store.record(campaign_id, record_id)
        if record is None:
            raise NotFound(f"no record {record_id} in campaign {campaign_id}")
        agent = await self._agent_of(campaign_id, record)
        if by.role not in MANAGERS and (by.role != "agent" or by.agent_code != agent):
            raise Forbidden(f"record {record_id} was not connected to {by.agent_code or by.role}")
        if record.status == "done":
            raise InvalidField(("code",), f"record {record_id} is closed ({record.closed_reason})")
        now = self.clock()
        at = None
        if code == "callback":
            if callback_at is None or callback_at.timestamp() <= now:
                raise InvalidField(("callback_at",), "call back needs a time in the future")
            at = callback_at.timestamp()
        order = None
        if code == "sale":
            if record.customer_id is None:
                raise InvalidField(("code",), "a sale needs a customer; this record has none")
            if not items:
                raise InvalidField(("items",), "a sale needs at least one item")
            order = await sales.add_order(
                uow=self._uow,
                customer_id=record.customer_id,
                channel="telemarketing",
                status="placed",
                placed_at=datetime.fromtimestamp(now, UTC),
                items=items,
            )
        if code == "do_not_call":
            await self.campaigns.add_dnc(record.number, f"asked on campaign {campaign_id}")
        closed = after_disposition(record, code, now, at)
        await self.store.dispose(closed, code=code, agent=agent, at=now)
        dialer = self._dialer(campaign_id)
        await self._result(campaign_id, dialer, closed, now, agent=agent, disposition=code)
        held = self.previewing.get(agent) if agent is not None else None
        if agent is not None and held is not None and held[1].id == record_id:
            self.previewing.pop(agent)
            self.preview_attempts.pop(agent, None)
        if dialer is not None:
            if closed.status == "queued":
                dialer.put_back(closed)
            else:
                dialer.held.pop(record_id, None)
        return {
            "record_id": record_id,
            "status": closed.status,
            "closed_reason": closed.closed_reason,
            "next_at": datetime.fromtimestamp(closed.next_at, UTC).isoformat()
            if closed.status == "queued"
            else None,
            "order_number": order.order_number if order else None,
        }

    async def _result(
        self, campaign_id: int, dialer: CampaignDialer | None, record: ListRecord, at: float,
        *, agent: str | None, disposition: str,
    ) -> None:  # fmt: skip
        """`campaign.result` for a disposition (the campaign's group from the store if it is
        not dialling in this process)."""
        publish = self.campaigns.publish
        if publish is None:
            return
        if dialer is not None:
            group = dialer.campaign.group
        else:
            summary = await self.campaigns.store.get(campaign_id)
            group = summary.campaign.group if summary is not None else "telemarketing"
        publish(
            campaign_result_event(
                group=group, record=record, at=at, agent=agent, disposition=disposition
            )
        )

    async def _agent_of(self, campaign_id: int, record: ListRecord) -> str | None:
        dialer = self._dialer(campaign_id)
        if dialer is not None:
            live = dialer.calls.by_number.get(record.number)
            if live is not None and live.record.id == record.id and live.agent:
                return live.agent
        for code, (cid, held) in self.previewing.items():
            if cid == campaign_id and held.id == record.id:
                return code
        return await self.store.agent_of(record.id)

    def _dialer(self, campaign_id: int) -> CampaignDialer | None:
        running = self.campaigns.dialers.get(campaign_id)
        return running[1] if running is not None else None


def _pop(dialer: CampaignDialer, record: ListRecord) -> dict[str, Any]:
    c = dialer.campaign
    return {
        "id": c.id,
        "name": c.name,
        "script": c.script,
        "offer": c.offer,
        "record_id": record.id,
        "customer_id": record.customer_id,
        "number": record.number,
        "record_name": record.name,
        "dispositions": list(DISPOSITIONS),
    }
