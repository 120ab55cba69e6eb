"""One call's running state while it lives, and the CallRecord it becomes when it ends."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from callcenter.domain.calls.records import CallLeg, CallRecord
from callcenter.domain.customers.numbers import parse_caller_id

# Dial() results and Q.850 hang-up causes -> outbound outcomes.
_DIAL_OUTCOMES = {
    "BUSY": "busy",
    "NOANSWER": "no_answer",
    "CANCEL": "no_answer",
    "CONGESTION": "congestion",
    "CHANUNAVAIL": "failed",
}
CAUSE_OUTCOMES = {17: "busy", 18: "no_answer", 19: "no_answer", 34: "congestion", 38: "congestion"}
# OriginateResponse Reason codes of a failed Originate.
ORIGINATE_OUTCOMES = {5: "busy", 3: "no_answer", 8: "congestion", 0: "failed", 1: "failed"}
# What the dialplan told the caller about a callback (its CC_CALLBACK VarSet): `requested` when
# they pressed 1 while waiting ([cc-queue-exit]), `promised` when they heard "we will call you
# back" after the queue gave up on them ([cc-callback] s).
CALLBACK_VAR, REQUESTED, PROMISED = "CC_CALLBACK", "requested", "promised"


def _when(at: float) -> datetime:
    return datetime.fromtimestamp(at, UTC)


@dataclass
class Leg:
    """An agent talking with the customer; `talk` is the PBX's count when it can be trusted."""

    agent: str
    interface: str
    queue: str | None
    channel: str | None
    start: float
    end: float | None = None
    talk: float | None = None
    trust_pbx: bool = True
    left: bool = False  # the call was transferred away from this agent
    resynced: bool = False  # rebuilt from a reconnect's channel list, not seen starting

    def talk_s(self, at: float) -> float:
        """Seconds this agent talked with the customer, the call ending at `at`."""
        if self.talk is not None and self.trust_pbx:
            return self.talk
        return max(0.0, (self.end if self.end is not None else at) - self.start)


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
    path: str | None = None  # "inbound" (through an entry point) or "outbound" (to a customer)
    agent_first: bool = False  # outbound: the agent's phone rang first, then the customer
    dialled: str | None = None
    queues: list[str] = field(default_factory=list)
    joined_at: float | None = None
    first_joined_at: float | None = None  # entered its first queue: a callback keeps this place
    in_queue: str | None = None
    left_at: float | None = None  # the customer last left a queue (QueueCallerLeave)
    pending_abandon: tuple[str, float] | None = None  # (queue, hold_s) until hang-up or timeout
    left_unanswered: str | None = None  # queue the call last timed out of
    abandoned: bool = False
    withdrawn: bool = False
    ring_attempts: int = 0
    ringing: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    direct: dict[str, tuple[str, str, float]] = field(default_factory=dict)
    consult_channels: set[str] = field(default_factory=set)
    consult_leg: Leg | None = None
    answered_at: float | None = None
    agent: str | None = None
    agent_interface: str | None = None
    wait_s: float = 0.0
    legs: list[Leg] = field(default_factory=list)
    transferred: bool = False
    routing: dict[str, str] = field(default_factory=dict)
    dial_outcome: str | None = None
    customer_answered: bool = False
    amd: str | None = None
    monitored: int = 0
    recordings: list[str] = field(default_factory=list)
    resynced: bool = False
    bridged_since: float | None = None  # a snapshot showed the customer talking, agent unknown
    spy_leg: bool = False
    ended_unseen: bool = False  # gone when the PBX was next asked: it ended while nobody watched

    @property
    def outbound(self) -> bool:
        """Whether the call was placed to a customer."""
        return self.path == "outbound"

    def unsettled_leg(self) -> Leg | None:
        """The last leg the PBX has not closed (no AgentComplete yet) and no transfer left."""
        for leg in reversed(self.legs):
            if leg.talk is None and not leg.left:
                return leg
        return None

    def leg_of(self, interface: str) -> Leg | None:
        """The last leg of this agent the PBX has not closed yet."""
        for leg in reversed(self.legs):
            if leg.interface == interface and leg.talk is None:
                return leg
        return None

    def caller(self, region: str) -> tuple[str | None, str | None, bool | None]:
        """(E.164 number, display name, verified); all None when the number is withheld."""
        number = (self.dialled or self.raw_number) if self.outbound else self.raw_number
        if self.withheld or not number:
            return None, None, None
        parsed = parse_caller_id(number, region)
        if parsed.e164 is None:
            return None, None, None
        # The name on an outbound leg is our own agent's, not the customer's.
        return parsed.e164, None if self.outbound else self.raw_name, parsed.verified

    def outcome(self) -> str:
        """The call's outcome as it stands now."""
        if self.legs or self.bridged_since is not None:
            return "answered"
        if self.outbound:
            if self.amd == "MACHINE":
                return "machine"
            if self.customer_answered:
                return "abandoned" if self.queues else "no_answer"
            return self.dial_outcome or "failed"
        if self.withdrawn:
            return "callback_requested"
        if self.abandoned or self.pending_abandon is not None:
            return "abandoned"
        if self.left_unanswered is not None:
            return "timeout"
        return "abandoned"

    def set_dial_outcome(self, status: str) -> None:
        """Record a Dial() result (DIALSTATUS / DialStatus); ANSWER is not a failure."""
        outcome = _DIAL_OUTCOMES.get(status.upper())
        if outcome is not None:
            self.dial_outcome = outcome

    def finish(self, at: float, region: str) -> CallRecord:
        """The stored record of this call, ended at `at`."""
        if self.pending_abandon is not None:
            self.wait_s += self.pending_abandon[1]
        legs = tuple(CallLeg(leg.agent, leg.queue, round(leg.talk_s(at), 3)) for leg in self.legs)
        talk = sum((leg.talk_s for leg in legs), 0.0)
        if not legs and self.bridged_since is not None:
            talk = max(0.0, at - self.bridged_since)
        caller, caller_name, verified = self.caller(region)
        return CallRecord(
            pbx=self.pbx,
            linkedid=self.linkedid,
            direction="outbound" if self.outbound else "inbound",
            caller=caller,
            caller_name=caller_name,
            queues=tuple(self.queues),
            agent=self.legs[-1].agent if self.legs else self.agent,
            outcome=self.outcome(),
            wait_s=round(self.wait_s, 3),
            talk_s=round(talk, 3),
            ring_attempts=self.ring_attempts,
            transferred=self.transferred,
            started_at=_when(self.started_at),
            ended_at=_when(max(at, self.started_at)),
            routing=dict(self.routing) or None,
            answered_at=_when(self.answered_at) if self.answered_at is not None else None,
            legs=legs,
            monitored=self.monitored,
            recordings=tuple(self.recordings),
            amd=self.amd,
            caller_verified=verified,
            ended_during_outage=self.ended_unseen,
        )
