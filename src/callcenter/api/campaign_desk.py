"""Campaigns at the desk and for supervisors: dispositions, preview, caps, the CSV report."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from callcenter.api.agent_control import Staff
from callcenter.api.deps import RuntimeDep, requires
from callcenter.api.errors import http_errors
from callcenter.api.fields import IdPath
from callcenter.api.schemas_sales import ItemIn
from callcenter.domain.access.auth import Principal
from callcenter.domain.orders import OrderItem
from callcenter.runtime import Runtime
from callcenter.services.campaign_desk import CampaignDesk
from callcenter.services.campaign_preview import CampaignPreview

router = APIRouter(prefix="/api/campaigns", tags=["campaigns"])
Manager = Annotated[Principal, Depends(requires("campaigns.manage"))]
State = Literal["draft", "running", "paused", "stopped", "finished"]


class CapsIn(BaseModel):
    """What a supervisor may change while the campaign runs (null dial_level_cap: no cap)."""

    model_config = ConfigDict(extra="forbid")
    abandon_cap_pct: Annotated[float, Field(gt=0, le=10)] | None = None
    dial_level_cap: Annotated[float, Field(ge=1, le=20)] | None = None


class DispositionIn(BaseModel):
    """How the agent closed the record: sale (with items), refused, wrong number, do not call,
    or callback (with callback_at)."""

    model_config = ConfigDict(extra="forbid")
    code: Literal["sale", "refused", "wrong_number", "do_not_call", "callback"]
    callback_at: datetime | None = None
    items: list[ItemIn] = Field(default_factory=list, max_length=200)


def _desk(runtime: Runtime) -> CampaignDesk:
    if runtime.campaign_desk is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "campaigns are not wired")
    return runtime.campaign_desk


def _preview(runtime: Runtime) -> CampaignPreview:
    if runtime.campaign_preview is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "campaigns are not wired")
    return runtime.campaign_preview


@router.get("")
async def list_campaigns(
    runtime: RuntimeDep, _: Manager, state: Annotated[list[State] | None, Query()] = None
) -> list[dict[str, Any]]:
    """Every campaign (or those in the `state`s asked for) with its live figures and sales."""
    with http_errors("query"):
        return await _desk(runtime).listing(state)


@router.patch("/{campaign_id}")
async def change_caps(
    campaign_id: IdPath, body: CapsIn, runtime: RuntimeDep, _: Manager
) -> dict[str, Any]:
    """Change the abandon cap or the dial level cap; a running campaign obeys from its next dial."""
    with http_errors():
        return await _desk(runtime).set_caps(
            campaign_id,
            abandon_cap_pct=body.abandon_cap_pct,
            dial_level_cap=body.dial_level_cap,
            clear_level_cap="dial_level_cap" in body.model_fields_set
            and body.dial_level_cap is None,
        )


@router.get("/{campaign_id}/report.csv")
async def report_csv(campaign_id: IdPath, runtime: RuntimeDep, _: Manager) -> Response:
    """Attempts, connected calls and dispositions per agent, and the campaign's total."""
    with http_errors():
        rows = await _desk(runtime).report_rows(campaign_id)
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return Response(
        content=out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="campaign-{campaign_id}.csv"'},
    )


@router.post("/{campaign_id}/records/{record_id}/disposition")
async def dispose(
    campaign_id: IdPath, record_id: IdPath, body: DispositionIn, runtime: RuntimeDep, who: Staff
) -> dict[str, Any]:
    """The agent who had the record (or a supervisor) closes or reschedules it."""
    items = [
        OrderItem(title=i.title, isbn=i.isbn, quantity=i.quantity, unit_price=Decimal(i.unit_price))
        for i in body.items
    ]
    with http_errors():
        return await _desk(runtime).dispose(
            campaign_id=campaign_id,
            record_id=record_id,
            code=body.code,
            by=who,
            callback_at=body.callback_at,
            items=items,
        )


@router.get("/{campaign_id}/preview")
async def preview_next(campaign_id: IdPath, runtime: RuntimeDep, who: Staff) -> dict[str, Any]:
    """The record the agent is to call next (`record` null when none is due now)."""
    with http_errors():
        return {"record": await _preview(runtime).next(campaign_id, who)}


@router.post("/{campaign_id}/preview/{record_id}/dial")
async def preview_dial(
    campaign_id: IdPath, record_id: IdPath, runtime: RuntimeDep, who: Staff
) -> dict[str, Any]:
    """Ring the agent's phone, then the customer (do-not-call checked once more)."""
    with http_errors():
        return await _preview(runtime).dial(campaign_id, record_id, who)


@router.post("/{campaign_id}/preview/{record_id}/skip")
async def preview_skip(
    campaign_id: IdPath, record_id: IdPath, runtime: RuntimeDep, who: Staff
) -> dict[str, Any]:
    """Leave the record for later and get the next one."""
    with http_errors():
        return await _preview(runtime).skip(campaign_id, record_id, who)
