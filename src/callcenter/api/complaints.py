"""Complaint tickets and their workflow."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, status

from callcenter.api.deps import RuntimeDep, requires
from callcenter.api.errors import http_errors
from callcenter.api.fields import IdPath
from callcenter.api.schemas import Created
from callcenter.api.schemas_sales import ComplaintIn, ComplaintOut, EscalateIn, TransitionIn
from callcenter.domain.access.auth import Principal
from callcenter.domain.complaints.workflow import legal_targets
from callcenter.services import sales

router = APIRouter(prefix="/api/complaints", tags=["complaints"])
Writer = Annotated[Principal, Depends(requires("complaints.write"))]


def actor(principal: Principal) -> str:
    """Who the complaint log names for a change."""
    if principal.agent_code:
        return f"agent:{principal.agent_code}"
    return f"{principal.role}:token{principal.token_id}"


def _out(found: sales.ComplaintWithLog) -> ComplaintOut:
    return ComplaintOut.of(found, legal_targets(found.complaint.status))


@router.post("", status_code=status.HTTP_201_CREATED, response_model=Created)
async def open_complaint(body: ComplaintIn, runtime: RuntimeDep, principal: Writer) -> Created:
    """Open a complaint: status open, level hotline, SLA due by severity."""
    with http_errors():
        new_id = await sales.open_complaint(
            uow=runtime.uow,
            complaint=sales.NewComplaint(
                customer_id=body.customer_id,
                category=body.category,
                severity=body.severity,
                subject=body.subject,
                description=body.description,
                order_id=body.order_id,
                book_title=body.book_title,
                owner_group=body.owner_group,
                owner_agent_code=body.owner_agent,
            ),
            actor=actor(principal),
            now=datetime.now(UTC),
        )
        opened = await sales.get_complaint(uow=runtime.uow, complaint_id=new_id)
    runtime.webhooks.on_complaint(opened.complaint, "opened")
    return Created(id=new_id)


@router.get("/{complaint_id}", response_model=ComplaintOut)
async def get_complaint(
    complaint_id: IdPath,
    runtime: RuntimeDep,
    _: Annotated[Principal, Depends(requires("customers.read"))],
) -> ComplaintOut:
    """A complaint with its event log and the statuses it may move to."""
    with http_errors():
        return _out(await sales.get_complaint(uow=runtime.uow, complaint_id=complaint_id))


@router.post("/{complaint_id}/transition", response_model=ComplaintOut)
async def transition(
    complaint_id: IdPath, body: TransitionIn, runtime: RuntimeDep, principal: Writer
) -> ComplaintOut:
    """Move along the workflow; an illegal move is a 409 listing the legal ones."""
    with http_errors():
        found = await sales.transition_complaint(
            uow=runtime.uow,
            complaint_id=complaint_id,
            to=body.to,
            actor=actor(principal),
            note=body.note,
            now=datetime.now(UTC),
        )
    runtime.webhooks.on_complaint(found.complaint, f"status:{body.to}")
    return _out(found)


@router.post("/{complaint_id}/escalate", response_model=ComplaintOut)
async def escalate(
    complaint_id: IdPath,
    runtime: RuntimeDep,
    principal: Writer,
    body: EscalateIn | None = None,
) -> ComplaintOut:
    """One level up: hotline -> editor -> author/expert; 409 when resolved, closed or at the top."""
    body = body or EscalateIn()
    with http_errors():
        found = await sales.escalate_complaint(
            uow=runtime.uow,
            complaint_id=complaint_id,
            actor=actor(principal),
            note=body.note,
            owner_group=body.owner_group,
            now=datetime.now(UTC),
        )
    runtime.webhooks.on_complaint(found.complaint, "escalated")
    return _out(found)
