"""Work items: file one (REST, SMS gateways), list them, read one with its log, change status."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status

from callcenter.api.deps import RuntimeDep, authenticate_request, requires
from callcenter.api.dialplan import allow_listed, allowed_networks
from callcenter.api.errors import field_error, http_errors
from callcenter.api.fields import IdPath
from callcenter.api.schemas_work import (
    Kind,
    Status,
    TransferIn,
    TransitionIn,
    WorkEventOut,
    WorkItemDetailOut,
    WorkItemIn,
    WorkItemOut,
)
from callcenter.domain.access.auth import MANAGERS, Principal, allows
from callcenter.domain.work_items import Sender
from callcenter.services.errors import InvalidField
from callcenter.services.work_requests import Actor, Intake, Transition
from callcenter.services.work_transfer import TransferRequest

if TYPE_CHECKING:
    from callcenter.runtime import Runtime
    from callcenter.services.work_items import WorkItemService

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/work-items", tags=["work items"])
Submitter = Annotated[Principal, Depends(requires("work.submit"))]
Reader = Annotated[Principal, Depends(requires("work.read"))]
Manager = Annotated[Principal, Depends(requires("work.manage"))]
SMS_FROM = ("from", "From", "sender", "msisdn", "originator")
SMS_TEXT = ("text", "Text", "body", "Body", "message", "content")


def _service(runtime: Runtime) -> WorkItemService:
    if runtime.work_items is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "work items are not wired")
    return runtime.work_items


def actor_label(principal: Principal) -> str:
    """Who the item log names for a change."""
    if principal.agent_code:
        return f"agent {principal.agent_code}"
    return f"{principal.role} token {principal.token_id}"


@router.post("", status_code=status.HTTP_201_CREATED, response_model=WorkItemOut)
async def submit(body: WorkItemIn, runtime: RuntimeDep, principal: Submitter) -> WorkItemOut:
    """File a work item: the sender is matched, the group picked (when not given), due time set."""
    s = body.sender
    intake = Intake(
        kind=body.kind,
        subject=body.subject,
        body=body.body,
        sender=Sender(phone=s.phone, email=s.email, member_no=s.member_no),
        group=body.group,
        due_at=body.due_at,
    )
    with http_errors():
        item = await _service(runtime).submit(
            intake, actor=actor_label(principal), now=datetime.now(UTC)
        )
    return WorkItemOut.of(item)


@router.get("", response_model=list[WorkItemOut])
async def list_items(
    runtime: RuntimeDep,
    _: Reader,
    group: Annotated[str | None, Query(max_length=40)] = None,
    status_: Annotated[Status | None, Query(alias="status")] = None,
    kind: Kind | None = None,
) -> list[WorkItemOut]:
    """Items matching the filters, soonest due first (undated last)."""
    items = await _service(runtime).find(group=group or None, status=status_, kind=kind)
    return [WorkItemOut.of(i) for i in items]


@router.post("/sms", status_code=status.HTTP_201_CREATED, response_model=WorkItemOut)
async def inbound_sms(request: Request, runtime: RuntimeDep) -> WorkItemOut:
    """An SMS gateway's inbound message (JSON or form-encoded): sender and text become an item."""
    who = await _sms_caller(request, runtime)
    fields = await _sms_fields(request)
    sender = _first(fields, SMS_FROM)
    text = _first(fields, SMS_TEXT)
    if not sender:
        raise field_error(InvalidField(("from",), "the sending number is missing"))
    if text is None:
        raise field_error(InvalidField(("text",), "the message text is missing"))
    intake = Intake(
        kind="sms",
        subject=text.splitlines()[0][:80] if text.strip() else "(empty SMS)",
        body=text,
        sender=Sender(phone=sender[:64]),
        source="sms",
    )
    with http_errors():
        item = await _service(runtime).submit(intake, actor=who, now=datetime.now(UTC))
    return WorkItemOut.of(item)


@router.get("/{item_id}", response_model=WorkItemDetailOut)
async def get_item(item_id: IdPath, runtime: RuntimeDep, _: Reader) -> WorkItemDetailOut:
    """One item with every logged change."""
    with http_errors():
        item, events = await _service(runtime).get(item_id=item_id)
    out = WorkItemOut.of(item)
    return WorkItemDetailOut.model_validate(
        {**vars(out), "events": [WorkEventOut.of(e) for e in events]}
    )


@router.post("/{item_id}/status", response_model=WorkItemOut)
async def change_status(
    item_id: IdPath, body: TransitionIn, runtime: RuntimeDep, principal: Manager
) -> WorkItemOut:
    """Move an item on (409 for an illegal move); an agent only on items they own."""
    with http_errors():
        item = await _service(runtime).transition(
            item_id=item_id,
            change=Transition(
                status=body.status,
                outcome=body.outcome,
                disposition_code=body.disposition_code,
                note=body.note,
                settled=body.settled,
                group=body.group,
                owner_agent=body.owner_agent,
            ),
            actor=Actor(
                label=actor_label(principal),
                manager=principal.role in MANAGERS,
                agent_id=principal.agent_id,
            ),
            now=datetime.now(UTC),
        )
    return WorkItemOut.of(item)


@router.post("/{item_id}/transfer", response_model=WorkItemOut)
async def transfer(
    item_id: IdPath, body: TransferIn, runtime: RuntimeDep, principal: Manager
) -> WorkItemOut:
    """Send the item to another group: it waits there anew, due by that group's rule for its
    kind; the agent it was offered to or held by (or a supervisor) may (422 unknown group,
    403 someone else's item, 409 closed or being dialled)."""
    transfers = runtime.work_transfers
    if transfers is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "work items are not wired")
    ask = TransferRequest(
        item_id=item_id,
        group=body.group,
        note=body.note or None,
        actor=actor_label(principal),
        manager=principal.role in MANAGERS,
        agent_code=principal.agent_code,
    )
    with http_errors():
        item = await transfers.transfer(ask, now=datetime.now(UTC))
    return WorkItemOut.of(item)


async def _sms_caller(request: Request, runtime: Runtime) -> str:
    host = request.client.host if request.client else None
    if allow_listed(host, allowed_networks(runtime.settings.sms_allow)):
        return f"sms gateway {host}"
    principal = await authenticate_request(request, runtime)
    if principal is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "an intake token or an allow-listed gateway address is required",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not allows(principal, "work.submit"):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"role {principal.role!r} may not file work")
    return f"sms gateway ({actor_label(principal)})"


async def _sms_fields(request: Request) -> dict[str, Any]:
    raw = await request.body()
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise field_error(InvalidField((), "the body is not UTF-8")) from None
    if kind == "application/json":
        try:
            data = json.loads(text)
        except ValueError:
            raise field_error(InvalidField((), "the body is not JSON")) from None
        if not isinstance(data, dict):
            raise field_error(InvalidField((), "the JSON body must be an object"))
        return data
    if kind in ("application/x-www-form-urlencoded", ""):
        return {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}
    raise HTTPException(
        status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, "send JSON or application/x-www-form-urlencoded"
    )


def _first(fields: dict[str, Any], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = fields.get(name)
        if isinstance(value, str | int) and not isinstance(value, bool):
            return str(value).replace("\x00", "")
    return None
