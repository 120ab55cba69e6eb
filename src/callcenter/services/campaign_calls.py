"""What a running campaign learns from call facts: its calls in the air, its agents, its rates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from callcenter.domain.calls import facts as f
from callcenter.domain.campaigns.abandon import AbandonLedger, abandon_counts
from callcenter.domain.campaigns.outage import LastSeen, live_call_of, settle_unseen
from callcenter.domain.campaigns.pacing import PRIOR_ANSWER_RATE, live_chance
from callcenter.domain.campaigns.records import ListRecord
from callcenter.domain.customers.numbers import parse_caller_id
from callcenter.ports.pbx import PbxSnapshot
from callcenter.services.dial_targets import dial_string

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
    unsure: bool = False  # in the air when the PBX connection dropped: settled at the resync


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
        self.machine_is_abandon = False  # the campaign counts AMD's false positives as abandons

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

    def figures(self) -> dict[str, object]:
        """What the supervisor sees of the calls: counts, abandon rates, agents, lines."""
        counts, rates = self.counts, self.ledger.rates(self.clock())
        return {
            "dialled": counts.dialled,
            "answered": counts.answered,
            "connected": counts.connected,
            "abandoned": counts.abandoned,
            "machines": counts.machines,
            "abandon_rate": {name: round(r.pct, 3) for name, r in rates.items()},
            "agents": len(self.agents),
            "agents_ready": self.agents_ready,
            "in_flight": self.lines_in_flight,
            "skipped_dnc": counts.skipped_dnc,
        }

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
        if record.ended_during_outage:  # gone while the connection was down: what was known
            last = self._last_seen(attempt)
            last = replace(
                last,
                connected=last.connected or outcome == "connected",
                machine=outcome == "machine",
                failure=outcome,
            )
            self.finish(attempt, settle_unseen(last), talk_s=record.talk_s, unseen=True)
            return
        if attempt.connected_at is not None:
            outcome = "connected"
        elif attempt.dropped or (attempt.answered_at is not None and outcome != "machine"):
            outcome = "dropped"
        self.finish(attempt, outcome, talk_s=record.talk_s)

    # -- a PBX connection lost and back ------------------------------------------------------
    def connection_lost(self) -> None:
        """Every attempt in the air now is settled by the next resync (kept or ended)."""
        for attempt in self.by_number.values():
            attempt.unsure = True

    def reconcile(self, snapshot: PbxSnapshot) -> int:
        """After a resync: attempts of before the cut whose call the PBX still lists go on, the
        others end at once by what was last known (see domain.campaigns.outage)."""
        settled = 0
        for attempt in [a for a in self.by_number.values() if a.unsure]:
            attempt.unsure = False
            linkedid = live_call_of(
                linkedid=attempt.linkedid,
                dialled=dial_string(attempt.record.number, self.region),
                live_linkedids=snapshot.linkedids,
                live_dials=snapshot.dialling,
            )
            if linkedid is not None:  # still up: its end comes as a fact of this call id
                attempt.linkedid = linkedid
                self.by_linkedid[linkedid] = attempt.record.number
                continue
            self.finish(attempt, settle_unseen(self._last_seen(attempt)), unseen=True)
            settled += 1
        return settled

    @staticmethod
    def _last_seen(attempt: Attempt) -> LastSeen:
        return LastSeen(
            connected=attempt.connected_at is not None,
            answered=attempt.answered_at is not None or attempt.dropped,
        )

    def finish(
        self, attempt: Attempt, outcome: str, *, talk_s: float = 0.0, unseen: bool = False
    ) -> None:
        """The attempt is over: count it, free its number, queue it for storing (`unseen`: it
        ended while the PBX connection was down; its ring time teaches the pacing nothing)."""
        now = self.clock()
        self.by_number.pop(attempt.record.number, None)
        if attempt.linkedid is not None:
            self.by_linkedid.pop(attempt.linkedid, None)
        result_at = attempt.answered_at if attempt.answered_at is not None else now
        if not unseen:
            self.means.dialled(outcome, max(0.0, result_at - attempt.dialled_at))
        answered, abandoned = abandon_counts(outcome, machine_is_abandon=self.machine_is_abandon)
        if answered:
            self.counts.answered += 1
            self.counts.abandoned += abandoned
            self.ledger.add(attempt.answered_at or now, abandoned=bool(abandoned))
        if outcome == "connected":
            self.counts.connected += 1
            self.counts.talk_s += talk_s
            self.means.handled(max(1.0, now - (attempt.connected_at or now)))
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
