"""Wiring of telemarketing campaigns: lists, the dialers of running campaigns; used by bootstrap."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from callcenter.adapters.db.database import Database
from callcenter.background import cancel_and_wait
from callcenter.ports.pbx import PbxCommands
from callcenter.ports.webhooks import EventSink
from callcenter.settings import Settings

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from callcenter.runtime import Runtime
    from callcenter.scaleout import ScaleOut
    from callcenter.services.campaign_desk import CampaignDesk
    from callcenter.services.campaigns import CampaignService


def campaign_service(
    settings: Settings,
    db: Database,
    pbxs: Mapping[str, PbxCommands],
    publish: EventSink | None = None,
) -> CampaignService:
    """Campaign lists and the dialers of running campaigns (stored in this database); `publish`
    (the webhook service's) gets campaign.result."""
    from callcenter.adapters.db.campaign_segments import SqlSegments
    from callcenter.adapters.db.repo_campaigns import SqlCampaigns
    from callcenter.services.campaigns import CampaignService

    store = SqlCampaigns(db.sessions)
    return CampaignService(
        uow=db.uow,
        store=store,
        ledger=store,
        segments=SqlSegments(db.sessions),
        pbxs=pbxs,
        region=settings.default_region,
        default_zone=settings.timezone,
        ring_timeout_s=settings.campaign_ring_timeout_s,
        tick_s=settings.campaign_tick_s,
        publish=publish,
    )


def attach_campaign_desk(runtime: Runtime) -> None:
    """The desk side of campaigns: the pop's campaign part, dispositions, preview, caps."""
    from callcenter.adapters.db.repo_campaign_desk import SqlCampaignDesk
    from callcenter.services.campaign_desk import CampaignDesk
    from callcenter.services.campaign_preview import CampaignPreview

    campaigns = runtime.campaigns
    if campaigns is None:
        return
    campaigns.agent_code = runtime.agents.code_for  # attempts keep the agent's code
    listeners = runtime.listeners  # filled by build_ami; a dialer waits for its PBX's login
    campaigns.pbx_ready = lambda pbx: pbx in listeners and listeners[pbx].connected
    desk = CampaignDesk(
        campaigns=campaigns, store=SqlCampaignDesk(runtime.database.sessions), uow=runtime.uow
    )
    runtime.pops.campaign_for = desk.pop_for
    runtime.campaign_desk = desk
    runtime.campaign_preview = CampaignPreview(
        desk=desk, uow=runtime.uow, on_dial=runtime.pops.dialled
    )


def campaign_runner(runtime: Runtime, scaleout: ScaleOut) -> None:
    """Scaled out, campaigns dial on one process only: the AMI leader of their PBX (it resumes
    them when it wins the lock; a process that loses it stops dialling at once)."""
    from callcenter.services.campaign_runner import CampaignRunner

    desk, campaigns = runtime.campaign_desk, runtime.campaigns
    if desk is None or campaigns is None:
        return
    settings = runtime.settings
    runner = CampaignRunner(
        desk=desk, poll_s=settings.campaign_tick_s * 2, resume=settings.campaign_resume
    )
    campaigns.leads = runner.leads
    scaleout.on_leader_change.append(runner.changed)
    runtime.closers.append(runner.aclose)
    preview, rpc = runtime.campaign_preview, scaleout.rpc
    if preview is not None:  # Next / Dial / Skip reach the leader, whose dialer holds records
        rpc.services["campaign_preview"] = preview.serve

        async def forward(pbx: str, request: dict[str, Any]) -> Any:
            return await rpc.call(pbx, "service:campaign_preview", request)

        preview.forward = forward


async def resume_campaigns(runtime: Runtime) -> None:
    """Campaigns stored as running dial again (one process only: the one with the listeners)."""
    desk = runtime.campaign_desk
    if desk is None or not runtime.settings.campaign_resume:
        return
    try:
        resumed = await desk.resume()
    except Exception as exc:  # the database away: calls are still routed, campaigns wait for it
        log.warning("running campaigns not resumed yet (%r); retrying in the background", exc)
        task = asyncio.get_running_loop().create_task(_resume_later(desk), name="campaign-resume")

        async def stop() -> None:
            await cancel_and_wait(task)

        runtime.closers.append(stop)
        return
    if resumed:
        log.info("resumed running campaigns %s", resumed)


async def _resume_later(desk: CampaignDesk, first_delay_s: float = 1.0) -> None:
    delay = first_delay_s
    while True:
        await asyncio.sleep(delay)
        try:
            resumed = await desk.resume()
        except Exception as exc:
            delay = min(30.0, delay * 2)
            log.warning("running campaigns not resumed yet (%r); next try in %.0f s", exc, delay)
            continue
        log.info("resumed running campaigns %s (the database is back)", resumed)
        return
