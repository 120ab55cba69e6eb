"""Campaign rows <-> domain records (no queries here)."""

from __future__ import annotations

from datetime import UTC, datetime, time

from callcenter.adapters.db.tables_campaigns import CampaignRecordRow, CampaignRow
from callcenter.domain.campaigns.campaign import CallingWindow, Campaign, RetryPolicy
from callcenter.domain.campaigns.records import ListRecord


def stamp(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def epoch(when: datetime | None) -> float:
    return when.timestamp() if when is not None else 0.0


def campaign_from_row(row: CampaignRow) -> Campaign:
    return Campaign(
        id=row.id,
        name=row.name,
        group=row.group_slug,
        mode=row.mode,  # type: ignore[arg-type]
        window=CallingWindow(
            time.fromisoformat(row.window_start),
            time.fromisoformat(row.window_end),
            frozenset(int(d) for d in row.window_days),
        ),
        retry=RetryPolicy(max_attempts=row.max_attempts, delays_s=dict(row.retry_delays)),
        abandon_cap_pct=row.abandon_cap_pct,
        dial_level_cap=row.dial_level_cap,
        connect_within_s=row.connect_within_s,
        amd_action=row.amd_action,
        amd_false_positive_is_abandon=row.amd_false_positive_is_abandon,
        caller_id_number=row.caller_id_number,
        caller_id_name=row.caller_id_name,
        script=row.script,
        offer=row.offer,
        state=row.state,
    )


def campaign_row(campaign: Campaign, *, source: dict[str, object], created_by: str) -> CampaignRow:
    now = datetime.now(UTC)
    w = campaign.window
    return CampaignRow(
        name=campaign.name,
        group_slug=campaign.group,
        mode=campaign.mode,
        state=campaign.state,
        window_start=w.start.strftime("%H:%M"),
        window_end=w.end.strftime("%H:%M"),
        window_days="".join(str(d) for d in sorted(w.days)),
        max_attempts=campaign.retry.max_attempts,
        retry_delays=dict(campaign.retry.delays_s),
        abandon_cap_pct=campaign.abandon_cap_pct,
        dial_level_cap=campaign.dial_level_cap,
        connect_within_s=campaign.connect_within_s,
        amd_action=campaign.amd_action,
        amd_false_positive_is_abandon=campaign.amd_false_positive_is_abandon,
        caller_id_number=campaign.caller_id_number,
        caller_id_name=campaign.caller_id_name,
        script=campaign.script,
        offer=campaign.offer,
        source=source,
        created_by=created_by,
        created_at=now,
        updated_at=now,
    )


def record_from_row(row: CampaignRecordRow) -> ListRecord:
    return ListRecord(
        id=row.id,
        campaign_id=row.campaign_id,
        number=row.number,
        customer_id=row.customer_id,
        name=row.name,
        status=row.status,  # type: ignore[arg-type]
        attempts=row.attempts,
        next_at=epoch(row.next_at),
        last_outcome=row.last_outcome,
        closed_reason=row.closed_reason,
    )
