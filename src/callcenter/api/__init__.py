"""Thin FastAPI routers; each module has `router`, listed here in the order they are mounted."""

from __future__ import annotations

from fastapi import APIRouter

from callcenter.api import (
    agent_control,
    agents,
    callers,
    campaign_desk,
    campaigns,
    complaints,
    contacts,
    customers,
    desk,
    dialplan,
    floor,
    groups,
    orders,
    pages,
)
from callcenter.api import metrics as metrics_api
from callcenter.api import quality as quality_api
from callcenter.api import reconcile as reconcile_api
from callcenter.api import recordings as recordings_api
from callcenter.api import reports as reports_api
from callcenter.api import supervision as supervision_api
from callcenter.api import tokens as tokens_api
from callcenter.api import wallboard as wallboard_api
from callcenter.api import webhooks as webhooks_api
from callcenter.api import work_desk as work_desk_api
from callcenter.api import work_items as work_items_api
from callcenter.api import work_login as work_login_api
from callcenter.api import work_offers as work_offers_api

ROUTERS: list[APIRouter] = [
    customers.router,
    orders.router,
    contacts.router,
    callers.router,
    complaints.router,
    agents.router,
    groups.router,
    pages.router,
    wallboard_api.router,
    reports_api.router,
    reconcile_api.router,
    agent_control.router,
    desk.router,
    floor.router,
    dialplan.router,
    tokens_api.router,
    webhooks_api.router,
    metrics_api.router,
    supervision_api.router,
    recordings_api.router,
    quality_api.router,
    work_items_api.router,
    work_offers_api.router,
    work_login_api.router,
    work_desk_api.router,
    campaigns.router,
    campaign_desk.router,
]
