"""What campaigns store: campaigns, their list records, attempts and the do-not-call list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from callcenter.domain.campaigns.campaign import Campaign
from callcenter.domain.campaigns.records import ListRecord


@dataclass(frozen=True)
class AttemptResult:
    """How one dial ended, as the dialer saw it (epoch seconds)."""

    attempt_id: int
    record: ListRecord  # the record as it is after this attempt
    outcome: str  # ATTEMPT_OUTCOMES
    ended_at: float
    answered_at: float | None = None  # a live answer (human, or a machine passed on)
    connected_at: float | None = None  # an agent took it
    agent: str | None = None
    linkedid: str | None = None


@dataclass(frozen=True)
class CampaignSummary:
    """A stored campaign with its list's figures."""

    campaign: Campaign
    records: int
    left: int  # queued or being dialled


@dataclass(frozen=True)
class SegmentMember:
    """A customer a CRM segment selects, with the number to call."""

    customer_id: int
    name: str
    number: str | None  # E.164
    do_not_call: bool


class Segments(Protocol):
    """CRM segment queries (see adapters/db/campaign_segments.py for the segments known)."""

    async def members(self, segment: str) -> list[SegmentMember]: ...


class CampaignLedger(Protocol):
    """The dialer's writes, each committed before the dialer goes on (a restart loses nothing)."""

    async def claim(self, *, record: ListRecord, at: float) -> int | None:
        """Check do-not-call for the record now (the DNC table and the customer's flag); if it
        is listed, close the record and return None; else mark it dialling, count the attempt,
        write the attempt and return its id."""
        ...

    async def claim_many(self, *, records: Sequence[ListRecord], at: float) -> list[int | None]:
        """`claim` for several records in one transaction (one commit), in order."""
        ...

    async def finish(self, result: AttemptResult) -> None:
        """Store how the attempt ended and the record's new state."""
        ...

    async def finish_many(self, results: Sequence[AttemptResult]) -> None:
        """`finish` for several attempts in one transaction (one commit)."""
        ...


class CampaignStore(Protocol):
    """Campaigns and their lists, in one unit of work (repositories never commit)."""

    async def add(
        self, campaign: Campaign, *, source: dict[str, Any] | None = None, created_by: str = ""
    ) -> Campaign: ...

    async def get(self, campaign_id: int) -> CampaignSummary | None: ...

    async def set_state(self, campaign_id: int, state: str) -> None: ...

    async def add_records(self, campaign_id: int, records: Sequence[ListRecord]) -> int: ...

    async def dialable(self, campaign_id: int) -> list[ListRecord]:
        """Queued records, soonest first."""
        ...

    async def answers_since(self, campaign_id: int, since: float) -> list[tuple[float, str, int]]:
        """(minute, outcome, attempts) of the campaign's answered attempts (connected, dropped,
        machine) since `since`: the time is the answer's, else the end's."""
        ...

    async def requeue_stale(self, campaign_id: int, *, next_at: float) -> int:
        """Records left 'dialling' by a stopped process: queued again, not before `next_at`."""
        ...

    async def add_dnc(self, number: str, reason: str) -> bool: ...

    async def is_dnc(self, number: str) -> bool: ...

    async def dnc_among(self, numbers: Sequence[str]) -> set[str]: ...


@dataclass(frozen=True)
class AgentTally:
    """One agent's part of a campaign (for the CSV report); agent "" = attempts no agent took."""

    agent: str
    attempts: int
    connected: int
    dispositions: dict[str, int]
    outcomes: dict[str, int] = field(default_factory=dict)  # attempts by outcome


class CampaignDeskStore(Protocol):
    """What agents and supervisors change on a campaign, each method one transaction."""

    async def running_ids(self) -> list[int]:
        """Campaigns stored as running (a process that starts resumes them)."""
        ...

    async def ids(self, states: Sequence[str] | None = None) -> list[int]:
        """Campaigns in these states (every one with None), oldest first."""
        ...

    async def set_caps(
        self, campaign_id: int, *, abandon_cap_pct: float, dial_level_cap: float | None
    ) -> None: ...

    async def record(self, campaign_id: int, record_id: int) -> ListRecord | None: ...

    async def agent_of(self, record_id: int) -> str | None:
        """The agent of the record's newest connected (or still open) attempt."""
        ...

    async def dispose(self, record: ListRecord, *, code: str, agent: str | None, at: float) -> None:
        """Store the record as the disposition left it; its open attempt ends connected."""
        ...

    async def postpone(self, record_id: int, *, next_at: float) -> None: ...

    async def tallies(self, campaign_id: int) -> list[AgentTally]: ...
