"""The desktop's "log a letter" and "log a remittance slip" (with the order the slip pays)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from callcenter.api.agent_control import Code
from callcenter.api.deps import RuntimeDep, get_principal
from callcenter.api.errors import http_errors
from callcenter.api.fields import ONE_LINE, PROSE
from callcenter.api.schemas_work import Body, SenderIn, Short, Slug, Subject, WorkItemOut
from callcenter.domain.access.auth import Principal
from callcenter.domain.remittance import SlipMatch
from callcenter.domain.work_items import Sender
from callcenter.services.work_desk import DeskIntake, Slip

router = APIRouter(tags=["work items"])
Caller = Annotated[Principal, Depends(get_principal)]
Amount = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2)]
Note = Annotated[str, StringConstraints(max_length=2000), PROSE]
OrderNumber = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40), ONE_LINE
]


def get_desk(runtime: RuntimeDep) -> DeskIntake:
    """The desktop intake (503 when work items are not wired)."""
    if runtime.work_desk is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "work items are not wired")
    return runtime.work_desk


DeskDep = Annotated[DeskIntake, Depends(get_desk)]


class LetterIn(BaseModel):
    """A letter the agent has in hand: who wrote it, what about, and (optionally) the group."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    sender: SenderIn = Field(alias="from")
    subject: Subject
    body: Body = ""
    group: Slug | None = None


class SlipIn(BaseModel):
    """A postal remittance slip: the payer's member number, the amount, the order if picked."""

    model_config = ConfigDict(extra="forbid")

    member_no: Short
    amount: Amount
    order_number: OrderNumber | None = None
    note: Note = ""


def match_json(match: SlipMatch) -> dict[str, Any]:
    """The slip's match: status, the sure order's id, the candidates with their reasons."""
    return {
        "status": match.status,
        "order_id": match.order_id,
        "candidates": [
            {
                "order_id": c.order_id,
                "order_number": c.order_number,
                "total": str(c.total),
                "status": c.status,
                "placed_at": c.placed_at,
                "reason": c.reason,
            }
            for c in match.candidates
        ],
    }


@router.get("/api/agents/{code}/work/slip-match")
async def slip_match(
    code: Code,
    desk: DeskDep,
    by: Caller,
    member_no: Annotated[Short, Query()],
    amount: Annotated[Amount, Query()],
) -> dict[str, Any]:
    """The orders a slip of this amount from this member may pay (before it is logged)."""
    with http_errors():
        return match_json(await desk.slip_match(member_no=member_no, amount=amount))


@router.post("/api/agents/{code}/work/letters", status_code=status.HTTP_201_CREATED)
async def log_letter(code: Code, body: LetterIn, desk: DeskDep, by: Caller) -> WorkItemOut:
    """File a letter as a work item, routed as any letter (or to the group named)."""
    s = body.sender
    with http_errors():
        item = await desk.log_letter(
            code=code,
            by=by,
            sender=Sender(phone=s.phone, email=s.email, member_no=s.member_no),
            subject=body.subject,
            body=body.body,
            group=body.group,
            now=datetime.now(UTC),
        )
    return WorkItemOut.of(item)


@router.post("/api/agents/{code}/work/slips", status_code=status.HTTP_201_CREATED)
async def log_slip(code: Code, body: SlipIn, desk: DeskDep, by: Caller) -> dict[str, Any]:
    """File a remittance slip with the order it pays: the pick, the sure match, or none yet."""
    slip = Slip(body.member_no, body.amount, body.order_number, body.note)
    with http_errors():
        item, match = await desk.log_slip(code=code, by=by, slip=slip, now=datetime.now(UTC))
    return {
        "item": WorkItemOut.of(item).model_dump(mode="json", by_alias=True),
        **match_json(match),
    }
