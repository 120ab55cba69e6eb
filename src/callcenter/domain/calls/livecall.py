"""One call's running state while it lives, and the CallRecord it becomes when it ends."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from callcenter.domain.numbers import parse_caller_id
from callcenter.domain.records import CallRecord


def _when(at: float) -> datetime:
    return datetime.fromtimestamp(at, UTC)


@dataclass
class LiveCall:
    """Everything known so far about one call (all channels sharing a Linkedid)."""

    pbx: str
    linkedid: str
    started_at: float
    channels: set[str] = field(default_factory=set)
    customer_channel: str | None = None
    raw_number: str | None = None
    raw_name: str | None = None
    withheld: bool = False
    outbound: bool = False
    dialled: str | None = None
    originator: str | None = None
    queues: list[str] = field(default_factory=list)
    joined_at: float | None = None
    in_queue: str | None = None
    pending_abandon: tuple[str, float] | None = None  # (queue, hold_s) until hang-up or timeout
    left_unanswered: str | None = None  # queue the call last timed out of
    abandoned: bool = False
    ring_attempts: int = 0
    ringing: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    answered_at: float | None = None
    talking_since: float | None = None
    agent: str | None = None
    agent_interface: str | None = None
    wait_s: float = 0.0
    talk_s: float = 0.0
    transferred: bool = False
    routing: dict[str, str] = field(default_factory=dict)

    def caller(self, region: str) -> tuple[str | None, str | None]:
        """(E.164 number, display name), both None when the caller withheld their number."""
        number = self.dialled if self.outbound else self.raw_number
        if self.withheld or not number:
            return None, None
        parsed = parse_caller_id(number, region)
        if parsed.kind == "withheld":
            return None, None
        # The name on an outbound leg is our own agent's, not the customer's.
        return parsed.e164, None if self.outbound else self.raw_name

    def outcome(self) -> str:
        """answered / abandoned / timeout, as the call stands now."""
        if self.answered_at is not None:
            return "answered"
        if self.abandoned or self.pending_abandon is not None:
            return "abandoned"
        if self.left_unanswered is not None or self.outbound:
            return "timeout"  # outbound: the customer never answered
        return "abandoned"

    def finish(self, at: float, region: str) -> CallRecord:
        """The stored record of this call, ended at `at`."""
        if self.pending_abandon is not None:
            self.wait_s += self.pending_abandon[1]
        if self.talking_since is not None:
            self.talk_s += max(0.0, at - self.talking_since)  # no AgentComplete: use our clock
        caller, caller_name = self.caller(region)
        return CallRecord(
            pbx=self.pbx,
            linkedid=self.linkedid,
            direction="outbound" if self.outbound and not self.queues else "inbound",
            caller=caller,
            caller_name=caller_name,
            queues=tuple(self.queues),
            agent=self.agent,
            outcome=self.outcome(),
            wait_s=round(self.wait_s, 3),
            talk_s=round(self.talk_s, 3) if self.answered_at is not None else 0.0,
            ring_attempts=self.ring_attempts,
            transferred=self.transferred,
            started_at=_when(self.started_at),
            ended_at=_when(max(at, self.started_at)),
            routing=dict(self.routing) or None,
            answered_at=_when(self.answered_at) if self.answered_at is not None else None,
        )
