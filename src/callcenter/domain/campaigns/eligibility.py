"""Whether a list record may be dialled now, and why not: the compliance checks in one place."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime

from callcenter.domain.campaigns.campaign import Campaign
from callcenter.domain.campaigns.records import ListRecord
from callcenter.domain.campaigns.window import may_call

SKIP_REASONS: tuple[str, ...] = (
    "closed",
    "in_progress",
    "not_yet",
    "do_not_call",
    "in_flight",
    "called_in_today",
    "outside_window",
    "max_attempts",
)


@dataclass(frozen=True)
class DialContext:
    """What the dialer knows at the moment it picks a record."""

    now: float  # epoch seconds
    default_zone: str
    dnc_numbers: Collection[str] = frozenset()  # the do-not-call table, as it is now
    dnc_customers: Collection[int] = frozenset()  # customers flagged do-not-call
    in_flight: Collection[str] = frozenset()  # numbers being dialled or talked to right now
    called_in_today: Collection[int] = frozenset()  # customers who called us today
    called_in_numbers: Collection[str] = field(default_factory=frozenset)

    @property
    def when(self) -> datetime:
        return datetime.fromtimestamp(self.now, UTC)


def why_not(record: ListRecord, campaign: Campaign, ctx: DialContext) -> str | None:
    """The first reason the record may not be dialled now (see SKIP_REASONS), None if it may."""
    if record.status == "done":
        return "closed"
    if record.status == "dialing":
        return "in_progress"
    if record.attempts >= campaign.retry.max_attempts:
        return "max_attempts"
    if record.number in ctx.dnc_numbers or (
        record.customer_id is not None and record.customer_id in ctx.dnc_customers
    ):
        return "do_not_call"
    if record.number in ctx.in_flight:
        return "in_flight"
    if record.next_at > ctx.now:
        return "not_yet"
    if (
        record.customer_id is not None and record.customer_id in ctx.called_in_today
    ) or record.number in ctx.called_in_numbers:
        return "called_in_today"
    if not may_call(campaign.window, record.number, ctx.when, ctx.default_zone):
        return "outside_window"
    return None


def terminal(reason: str) -> bool:
    """Whether a skip reason closes the record for good (the others only postpone it)."""
    return reason in ("do_not_call", "max_attempts", "closed")
