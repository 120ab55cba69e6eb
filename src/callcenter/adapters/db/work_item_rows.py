"""Work items between their domain records and their rows (the repository's conversions)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from callcenter.adapters.db.tables_work import WorkItemAttachmentRow, WorkItemRow
from callcenter.domain.work_items import (
    Attachment,
    CustomerMatch,
    MatchCandidate,
    NewWorkItem,
    Sender,
    WorkItem,
)


def item_row(item: NewWorkItem, now: datetime) -> WorkItemRow:
    """The row of a new item (its id is the database's)."""
    return WorkItemRow(
        kind=item.kind,
        customer_id=item.match.customer_id,
        caller=item.sender.phone,
        group_slug=item.group_slug,
        status=item.status,
        due_at=item.due_at,
        note=item.note,
        created_at=now,
        updated_at=now,
        subject=item.subject,
        body=item.body,
        sender_email=item.sender.email,
        sender_member_no=item.sender.member_no,
        match_status=item.match.status,
        candidates=[_candidate_json(c) for c in item.match.candidates],
        channel=item.channel,
        source=item.source,
        priority=item.priority,
        preferred_agent=item.preferred_agent,
        order_id=item.order_id,
        call_ref=item.call_ref,
    )


def attachment_rows(item_id: int, files: Iterable[Attachment]) -> list[WorkItemAttachmentRow]:
    """The rows of an item's attachments."""
    return [
        WorkItemAttachmentRow(
            work_item_id=item_id,
            filename=a.filename,
            content_type=a.content_type,
            size=a.size,
            sha256=a.sha256,
            stored_as=a.stored_as,
        )
        for a in files
    ]


def _candidate_json(c: MatchCandidate) -> dict[str, Any]:
    return {"customer_id": c.customer_id, "name": c.name, "segment": c.segment, "reason": c.reason}


def item_from_row(r: WorkItemRow, files: tuple[Attachment, ...]) -> WorkItem:
    candidates = tuple(
        MatchCandidate(int(c["customer_id"]), str(c["name"]), str(c["segment"]), str(c["reason"]))
        for c in r.candidates or ()
    )
    return WorkItem(
        id=r.id,
        kind=r.kind,
        customer_id=r.customer_id,
        caller=r.caller,
        group_slug=r.group_slug,
        status=r.status,
        due_at=r.due_at,
        note=r.note,
        created_at=r.created_at,
        subject=r.subject,
        body=r.body,
        sender=Sender(phone=r.caller, email=r.sender_email, member_no=r.sender_member_no),
        match=CustomerMatch(r.match_status, candidates, r.caller),  # type: ignore[arg-type]
        channel=r.channel,
        source=r.source,
        priority=r.priority,
        preferred_agent=r.preferred_agent,
        owner_agent_id=r.owner_agent_id,
        outcome=r.outcome,
        disposition_code=r.disposition_code,
        updated_at=r.updated_at,
        attachments=files,
        order_id=r.order_id,
        call_ref=r.call_ref,
    )
