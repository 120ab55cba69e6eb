"""Contacts: every interaction with a customer."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status

from callcenter.api.deps import RuntimeDep, requires
from callcenter.api.errors import http_errors
from callcenter.api.fields import IdPath
from callcenter.api.schemas_sales import ContactIn, ContactOut
from callcenter.domain.access.auth import Principal
from callcenter.services import sales

router = APIRouter(tags=["contacts"])


@router.post("/api/contacts", status_code=status.HTTP_201_CREATED, response_model=ContactOut)
async def record_contact(
    body: ContactIn,
    runtime: RuntimeDep,
    principal: Annotated[Principal, Depends(requires("customers.write"))],
) -> ContactOut:
    """Record an interaction; an agent token records it as itself and never as another agent."""
    agent_code = body.agent_code
    if principal.role == "agent":
        if agent_code is not None and agent_code != principal.agent_code:
            raise HTTPException(
                status_code=status.HTTP_403_FORBIDDEN,
                detail=f"agent {principal.agent_code} may not record contacts as {agent_code}",
            )
        agent_code = principal.agent_code
    with http_errors():
        contact = await sales.record_contact(
            uow=runtime.uow,
            contact=sales.NewContact(
                channel=body.channel,
                direction=body.direction,
                started_at=body.started_at or datetime.now(UTC),
                customer_id=body.customer_id,
                group_slug=body.group,
                agent_code=agent_code,
                outcome=body.outcome,
                disposition_code=body.disposition_code,
                settled_first_contact=body.settled_first_contact,
                note=body.note,
                ended_at=body.ended_at,
            ),
        )
    return ContactOut.of(contact)


@router.get("/api/customers/{customer_id}/contacts", response_model=list[ContactOut])
async def list_contacts(
    customer_id: IdPath,
    runtime: RuntimeDep,
    _: Annotated[Principal, Depends(requires("customers.read"))],
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[ContactOut]:
    """The customer's contacts, newest first."""
    with http_errors():
        found = await sales.list_contacts(uow=runtime.uow, customer_id=customer_id, limit=limit)
    return [ContactOut.of(c) for c in found]
