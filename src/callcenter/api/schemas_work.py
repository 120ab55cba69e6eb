"""Request and response bodies of the work-item API."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from callcenter.api.fields import ONE_LINE, PROSE, Moment, UtcTime
from callcenter.domain.work_items import WorkEvent, WorkItem

Kind = Literal["letter", "remittance_slip", "email", "sms", "web", "data_change", "callback"]
Status = Literal[
    "new", "triage", "offered", "accepted", "in_progress", "done", "cancelled", "failed"
]
Subject = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), ONE_LINE]
Body = Annotated[str, StringConstraints(max_length=200_000), PROSE]
Short = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40), ONE_LINE
]
Email = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=3, max_length=320), ONE_LINE
]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]


class SenderIn(BaseModel):
    """Who sent it: any of phone (any raw shape), e-mail, member number."""

    model_config = ConfigDict(extra="forbid")

    phone: (
        Annotated[
            str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64), ONE_LINE
        ]
        | None
    ) = None
    email: Email | None = None
    member_no: Short | None = None


class WorkItemIn(BaseModel):
    """A new work item."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    kind: Kind
    subject: Subject
    body: Body
    sender: SenderIn = Field(alias="from")
    group: Slug | None = None
    due_at: Moment | None = None


class TransitionIn(BaseModel):
    """A status change: legal moves only; done leaves a contact in the customer's history."""

    model_config = ConfigDict(extra="forbid")

    status: Status
    outcome: Short | None = None
    disposition_code: Short | None = None
    note: Annotated[str, StringConstraints(max_length=2000), PROSE] | None = None
    settled: bool = True
    group: Slug | None = None
    owner_agent: Short | None = None  # agent code; a supervisor assigns the item


class TransferIn(BaseModel):
    """Send an item to another group, with a word for whoever takes it there."""

    model_config = ConfigDict(extra="forbid")

    group: Slug
    note: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), PROSE] | None
    ) = None


class AttachmentOut(BaseModel):
    """A stored file: name, type, size and SHA-256 of its bytes."""

    filename: str
    content_type: str
    size: int
    sha256: str


class WorkItemOut(BaseModel):
    """A work item; `customer` is the sender's match as the caller lookup gives it."""

    id: int
    kind: str
    group: str
    status: str
    due_at: UtcTime | None
    priority: int
    subject: str
    body: str
    sender: dict[str, str | None] = Field(serialization_alias="from")
    caller: str | None
    customer: dict[str, Any]
    channel: str
    source: str
    note: str | None
    preferred_agent: str | None
    owner_agent_id: int | None
    outcome: str | None
    disposition_code: str | None
    created_at: UtcTime
    updated_at: UtcTime | None
    attachments: list[AttachmentOut]
    order_id: int | None = None  # the order a remittance slip pays
    call_ref: str | None = None  # "<pbx>:<linkedid>" of the queue call owing this callback

    @classmethod
    def of(cls, item: WorkItem) -> Self:
        """From the stored item."""
        m = item.match
        return cls(
            id=item.id,
            kind=item.kind,
            group=item.group_slug,
            status=item.status,
            due_at=item.due_at,
            priority=item.priority,
            subject=item.subject,
            body=item.body,
            sender={
                "phone": item.sender.phone,
                "email": item.sender.email,
                "member_no": item.sender.member_no,
            },
            caller=item.caller,
            customer={
                "status": m.status,
                "e164": m.e164,
                "customer_id": m.customer_id,
                "candidates": [
                    {
                        "customer_id": c.customer_id,
                        "name": c.name,
                        "segment": c.segment,
                        "reason": c.reason,
                    }
                    for c in m.candidates
                ],
            },
            channel=item.channel,
            source=item.source,
            note=item.note,
            preferred_agent=item.preferred_agent,
            order_id=item.order_id,
            call_ref=item.call_ref,
            owner_agent_id=item.owner_agent_id,
            outcome=item.outcome,
            disposition_code=item.disposition_code,
            created_at=item.created_at,
            updated_at=item.updated_at,
            attachments=[
                AttachmentOut(
                    filename=a.filename, content_type=a.content_type, size=a.size, sha256=a.sha256
                )
                for a in item.attachments
            ],
        )


class WorkEventOut(BaseModel):
    """One logged change."""

    kind: str
    actor: str
    at: UtcTime
    from_status: str | None
    to_status: str | None
    note: str | None
    from_group: str | None = None  # a move to another group (a transfer, a routed triage item)
    to_group: str | None = None

    @classmethod
    def of(cls, e: WorkEvent) -> Self:
        """From the logged event."""
        return cls(
            kind=e.kind,
            actor=e.actor,
            at=e.at,
            from_status=e.from_status,
            to_status=e.to_status,
            note=e.note,
            from_group=e.from_group,
            to_group=e.to_group,
        )


class WorkItemDetailOut(WorkItemOut):
    """An item with its change log, oldest first."""

    events: list[WorkEventOut]
