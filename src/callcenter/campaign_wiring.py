"""Wiring of telemarketing campaigns: lists, the dialers of running campaigns; used by bootstrap."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from callcenter.adapters.db.database import Database
from callcenter.ports.pbx import PbxCommands
from callcenter.settings import Settings

if TYPE_CHECKING:
    from callcenter.services.campaigns import CampaignService


def campaign_service(
    settings: Settings, db: Database, pbxs: Mapping[str, PbxCommands]
) -> CampaignService:
    """Campaign lists and the dialers of running campaigns (stored in this database)."""
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
    )
