"""Telemarketing campaigns (supervisors and admins): `/api/campaigns`."""

from __future__ import annotations

from datetime import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field, model_validator

from callcenter.api.deps import RuntimeDep, requires
from callcenter.api.errors import http_errors
from callcenter.api.fields import IdPath, OneLine, Prose
from callcenter.domain.access.auth import Principal
from callcenter.domain.campaigns.campaign import CallingWindow, Campaign, RetryPolicy
from callcenter.runtime import Runtime
from callcenter.services.campaigns import CampaignService

router = APIRouter(prefix="/api/campaigns", tags=["campaigns"])
Manager = Annotated[Principal, Depends(requires("campaigns.manage"))]
Segment = Literal[
    "no_order_this_quarter", "lapsing_members", "senior_members", "distributors_overdue"
]
Delay = Annotated[float, Field(ge=0, le=30 * 86400)]


class WindowIn(BaseModel):
    """Hours the customer may be called, in the customer's local time; days 0=Mon … 6=Sun."""

    model_config = ConfigDict(extra="forbid")
    start: time = time(9, 0)
    end: time = time(21, 0)
    days: Annotated[list[Annotated[int, Field(ge=0, le=6)]], Field(min_length=1, max_length=7)] = [
        0,
        1,
        2,
        3,
        4,
        5,
        6,
    ]

    @model_validator(mode="after")
    def _ordered(self) -> WindowIn:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("times are the customer's local time: give them without a zone")
        if self.start >= self.end:
            raise ValueError("end must be after start")
        return self


class RetryIn(BaseModel):
    """Seconds before a record is tried again after each outcome."""

    model_config = ConfigDict(extra="forbid")
    busy: Delay = 900
    no_answer: Delay = 3600
    machine: Delay = 7200
    congestion: Delay = 600
    dropped: Delay = 1800


class CampaignIn(BaseModel):
    """A campaign and where its list comes from: a CRM segment or CSV lines (one of them)."""

    model_config = ConfigDict(extra="forbid")
    name: Annotated[OneLine, Field(min_length=1, max_length=120)]
    group: Annotated[OneLine, Field(min_length=1, max_length=40)] = "telemarketing"
    mode: Literal["preview", "progressive", "predictive"] = "predictive"
    segment: Segment | None = None
    csv: Annotated[Prose, Field(min_length=1, max_length=20_000_000)] | None = None
    window: WindowIn = WindowIn()
    max_attempts: Annotated[int, Field(ge=1, le=20)] = 3
    retry_delays_s: RetryIn = RetryIn()
    abandon_cap_pct: Annotated[float, Field(gt=0, le=10)] = 3.0
    amd_action: Literal["hangup", "message", "agent"] = "hangup"
    caller_id_number: Annotated[OneLine, Field(max_length=32, pattern=r"^[0-9+]*$")] = ""
    caller_id_name: Annotated[OneLine, Field(max_length=80)] = ""
    script: Annotated[Prose, Field(max_length=20_000)] = ""
    offer: Annotated[Prose, Field(max_length=5_000)] = ""

    @model_validator(mode="after")
    def _one_source(self) -> CampaignIn:
        if (self.segment is None) == (self.csv is None):
            raise ValueError("give exactly one of segment or csv")
        return self

    def to_domain(self) -> Campaign:
        w = self.window
        return Campaign(
            id=0,
            name=self.name,
            group=self.group,
            mode=self.mode,
            window=CallingWindow(w.start, w.end, frozenset(w.days)),
            retry=RetryPolicy(
                max_attempts=self.max_attempts, delays_s=self.retry_delays_s.model_dump()
            ),
            abandon_cap_pct=self.abandon_cap_pct,
            amd_action=self.amd_action,
            caller_id_number=self.caller_id_number,
            caller_id_name=self.caller_id_name or self.name,
            script=self.script,
            offer=self.offer,
        )


class RejectOut(BaseModel):
    line: int
    value: str
    reason: str


class DncIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    number: Annotated[OneLine, Field(min_length=1, max_length=64)]
    reason: Annotated[OneLine, Field(max_length=200)] = ""


def _service(runtime: Runtime) -> CampaignService:
    if runtime.campaigns is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "campaigns are not wired")
    return runtime.campaigns


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_campaign(body: CampaignIn, runtime: RuntimeDep, who: Manager) -> dict[str, Any]:
    """Build a campaign and its list; lines left out are listed with the reason."""
    service = _service(runtime)
    with http_errors():
        built = await service.create(
            campaign=body.to_domain(),
            segment=body.segment,
            csv_text=body.csv,
            created_by=who.role,
        )
        figures = await service.figures(built.campaign.id)
    rejects = [RejectOut(line=r.line, value=r.value, reason=r.reason) for r in built.rejects]
    return {**figures, "rejects": [r.model_dump() for r in rejects]}


@router.get("/{campaign_id}")
async def get_campaign(campaign_id: IdPath, runtime: RuntimeDep, _: Manager) -> dict[str, Any]:
    """The campaign's live figures: dialled, answered, connected, abandon rate per window, …"""
    with http_errors():
        if runtime.campaign_desk is not None:  # with sales and the dial level cap
            return await runtime.campaign_desk.figures(campaign_id)
        return await _service(runtime).figures(campaign_id)


@router.post("/{campaign_id}/start")
async def start_campaign(campaign_id: IdPath, runtime: RuntimeDep, _: Manager) -> dict[str, Any]:
    with http_errors():
        return await _service(runtime).start(campaign_id)


@router.post("/{campaign_id}/pause")
async def pause_campaign(campaign_id: IdPath, runtime: RuntimeDep, _: Manager) -> dict[str, Any]:
    with http_errors():
        return await _service(runtime).pause(campaign_id)


@router.post("/{campaign_id}/stop")
async def stop_campaign(campaign_id: IdPath, runtime: RuntimeDep, _: Manager) -> dict[str, Any]:
    with http_errors():
        return await _service(runtime).stop(campaign_id)


@router.post("/dnc", status_code=status.HTTP_201_CREATED)
async def add_dnc(body: DncIn, runtime: RuntimeDep, _: Manager) -> dict[str, str]:
    """Put a number on the do-not-call list; running campaigns never dial it from now on."""
    with http_errors():
        number = await _service(runtime).add_dnc(body.number, body.reason)
    return {"number": number}
