"""What a running campaign learns from call facts: its calls in the air, its agents, its rates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from callcenter.domain.calls import facts as f
from callcenter.domain.campaigns.abandon import AbandonLedger
from callcenter.domain.campaigns.pacing import PRIOR_ANSWER_RATE, live_chance
from callcenter.domain.campaigns.records import ListRecord
from callcenter.domain.customers.numbers import parse_caller_id

BUSY_STATES = frozenset({"ringing", "on_call", "wrap_up"})
# Tracker outcomes of a customer-first call -> the attempt's outcome
OUTCOMES = {
    "answered": "connected",
    "abandoned": "dropped",
    "busy": "busy",
    "no_answer": "no_answer",
    "congestion": "congestion",
    "machine": "machine",
    "failed": "failed",
}
EWMA = 0.02  # weight of one attempt in the running answer rate / ring / handle means


@dataclass
class Attempt:
    """One dial in the air (or talking); keyed by its number, never two at once."""

    attempt_id: int
    record: ListRecord
    dialled_at: float
    linkedid: str | None = None
    answered_at: float | None = None
    connected_at: float | None = None
    agent: str | None = None
    dropped: bool = False


@dataclass
class Running:
    """Running means (seeded with priors) the pacing reads."""

    answer_rate: float = PRIOR_ANSWER_RATE  # live answers per dial
    machine_rate: float = 0.1
    no_answer_rate: float = 0.4
    ring_s: float = 10.0  # dial to a live answer
    handle_s: float = 180.0

    def dialled(self, outcome: str, ring_s: float) -> None:
        live = outcome in ("connected", "dropped")
        self.answer_rate += EWMA * (live - self.answer_rate)
        self.machine_rate += EWMA * ((outcome == "machine") - self.machine_rate)
        self.no_answer_rate += EWMA * ((outcome == "no_answer") - self.no_answer_rate)
        if live:
            self.ring_s += EWMA * 4 * (ring_s - self.ring_s)

    def handled(self, seconds: float) -> None:
        self.handle_s += EWMA * 5 * (seconds - self.handle_s)


@dataclass
class Counts:
    """What a supervisor sees counted for the campaign."""

    dialled: int = 0
    answered: int = 0  # live answers
    connected: int = 0
    abandoned: int = 0
    machines: int = 0
    talk_s: float = 0.0
    skipped_dnc: int = 0


class CampaignCalls:
    """Attempts in the air, agents of the campaign's queue, answer and abandon figures."""

    def __init__(self, *, queue: str, region: str, clock: Callable[[], float]) -> None:
        self.queue = queue
        self.region = region
        self.clock = clock
        self.by_number: dict[str, Attempt] = {}
        self.by_linkedid: dict[str, str] = {}
        self.agents: dict[str, str] = {}  # interface -> state
        self.called_in: set[str] = set()  # numbers that called us (today, since start)
        self.ledger = AbandonLedger()
        self.means = Running()
        self.counts = Counts()
        self.ended: list[tuple[Attempt, str, float]] = []  # waiting to be stored
        # (interface, member name) -> the agent's code, kept on the attempt (None: member name)
        self.agent_code: Callable[[str, str | None], str | None] | None = None

    # -- the figures the pacing reads ---------------------------------------------------------
    @property
    def agents_ready(self) -> int:
        free = sum(1 for s in self.agents.values() if s == "available")
        waiting = sum(
            1 for a in self.by_number.values() if a.answered_at is not None and not a.connected_at
        )
        return max(0, free - waiting)

    @property
    def agents_on_call(self) -> int:
        return sum(1 for s in self.agents.values() if s in BUSY_STATES)

    @property
    def lines_in_flight(self) -> int:
        return sum(1 for a in self.by_number.values() if a.answered_at is None)

    def pending_live(self, timeout_s: float) -> tuple[float, ...]:
        """Each unanswered line's chance of still becoming a live answer, by its age."""
        now, m = self.clock(), self.means
        return tuple(
            live_chance(
                now - a.dialled_at,
                live=m.answer_rate,
                machine=m.machine_rate,
                no_answer=m.no_answer_rate,
                ring_s=m.ring_s,
                timeout_s=timeout_s,
            )
            for a in self.by_number.values()
            if a.answered_at is None
        )

    # -- facts ------------------------------------------------------------------------------
    def on_fact(self, fact: f.Fact) -> None:
        """One call or agent fact of the PBX the campaign dials through."""
        if isinstance(fact, f.AgentStateChanged):
            if self.queue in fact.queues and fact.state != "logged_out":
                self.agents[fact.interface] = "paused" if fact.paused_in else fact.state
            else:
                self.agents.pop(fact.interface, None)
        elif isinstance(fact, f.CallOffered):
            self._offered(fact)
        elif isinstance(fact, f.CallAnswered):
            attempt = self._of(fact.linkedid)
            if attempt is not None and attempt.connected_at is None:
                attempt.connected_at = self.clock()
                code = self.agent_code(fact.interface, fact.agent) if self.agent_code else None
                attempt.agent = code or fact.agent
        elif isinstance(fact, f.QueueLeftUnanswered | f.CallAbandoned):
            attempt = self._of(fact.linkedid)
            if attempt is not None and attempt.connected_at is None:
                attempt.dropped = True
        elif isinstance(fact, f.CallEnded):
            self._ended(fact)

    def _offered(self, fact: f.CallOffered) -> None:
        number = self._e164(fact.caller)
        if number is None:
            return
        attempt = self.by_number.get(number)
        if attempt is None:
            if fact.queue != self.queue:
                self.called_in.add(number)  # an inbound call: skip this customer today
            return
        if fact.queue == self.queue and attempt.answered_at is None:
            attempt.linkedid = fact.linkedid
            attempt.answered_at = self.clock()
            self.by_linkedid[fact.linkedid] = number

    def _ended(self, fact: f.CallEnded) -> None:
        record = fact.record
        number = self.by_linkedid.pop(fact.linkedid, None) or self._e164(record.caller)
        if record.direction != "outbound" or number is None:
            return
        attempt = self.by_number.get(number)
        if attempt is None:
            return
        outcome = OUTCOMES.get(record.outcome, "failed")
        if attempt.connected_at is not None:
            outcome = "connected"
        elif attempt.dropped or (attempt.answered_at is not None and outcome != "machine"):
            outcome = "dropped"
        self.finish(attempt, outcome, talk_s=record.talk_s)

    def finish(self, attempt: Attempt, outcome: str, *, talk_s: float = 0.0) -> None:
        """The attempt is over: count it, free its number, queue it for storing."""
        now = self.clock()
        self.by_number.pop(attempt.record.number, None)
        live = outcome in ("connected", "dropped")
        result_at = attempt.answered_at if attempt.answered_at is not None else now
        self.means.dialled(outcome, max(0.0, result_at - attempt.dialled_at))
        if live:
            self.counts.answered += 1
            self.ledger.add(attempt.answered_at or now, abandoned=outcome == "dropped")
        if outcome == "connected":
            self.counts.connected += 1
            self.counts.talk_s += talk_s
            self.means.handled(max(1.0, now - (attempt.connected_at or now)))
        elif outcome == "dropped":
            self.counts.abandoned += 1
        elif outcome == "machine":
            self.counts.machines += 1
        self.ended.append((attempt, outcome, now))

    def reap(self, *, older_than_s: float) -> None:
        """Attempts that never got a result (a lost event): over as no answer, number freed."""
        now = self.clock()
        for attempt in list(self.by_number.values()):
            if attempt.answered_at is None and now - attempt.dialled_at > older_than_s:
                self.finish(attempt, "no_answer")

    def _of(self, linkedid: str) -> Attempt | None:
        number = self.by_linkedid.get(linkedid)
        return self.by_number.get(number) if number else None

    def _e164(self, caller: str | None) -> str | None:
        if not caller:
            return None
        if caller.startswith("+"):
            return caller
        parsed = parse_caller_id(caller, self.region)
        return parsed.e164
