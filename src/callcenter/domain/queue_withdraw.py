"""Keep my place, taken by the backend: a caller who has waited too long in a queue is withdrawn
from it (QueueWithdrawCaller) so the call becomes a callback that keeps their place.

Pure: the callers waiting now are folded from call facts; `due` says whom to withdraw at a moment.
A caller without a number to call back (withheld, unknown) is never withdrawn: nobody could call
them back. Each call is withdrawn at most once, whatever Asterisk answers; a withdraw that could
not be sent (no connection) is tried again while the caller still waits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from callcenter.domain.calls.facts import (
    CallAbandoned,
    CallAnswered,
    CallEnded,
    CallOffered,
    CallOverflowed,
    Fact,
    QueueLeftUnanswered,
)

WITHDRAW_INFO = "callback-requested"  # what the dialplan finds in QUEUE_WITHDRAW_INFO


@dataclass(frozen=True, slots=True)
class WithdrawRule:
    """Withdraw a caller who has waited `after_s` seconds (0 = never), counted from the first queue
    they entered (an overflow does not start the count again); only in `queues` (Asterisk queue
    names) when that set is not empty."""

    after_s: float = 0.0
    queues: frozenset[str] = frozenset()

    @property
    def enabled(self) -> bool:
        """Whether the rule withdraws anyone at all."""
        return self.after_s > 0

    def covers(self, queue: str) -> bool:
        """Whether callers waiting in `queue` may be withdrawn."""
        return not self.queues or queue in self.queues


@dataclass(frozen=True, slots=True)
class WaitingCaller:
    """A caller waiting in a queue now, as QueueWithdrawCaller needs to name them."""

    pbx: str
    linkedid: str
    queue: str
    channel: str
    caller: str | None
    since: float


@dataclass
class WaitingCallers:
    """The callers waiting in a queue now, by (pbx, linkedid); withdrawn ones remembered until
    their call ends."""

    waiting: dict[tuple[str, str], WaitingCaller] = field(default_factory=dict)
    withdrawn: set[tuple[str, str]] = field(default_factory=set)
    first_offered: dict[tuple[str, str], float] = field(default_factory=dict)

    def apply(self, fact: Fact) -> None:
        """Fold one call fact."""
        if isinstance(fact, CallOffered):
            key = (fact.pbx, fact.linkedid)
            first = self.first_offered.setdefault(key, fact.at)
            self.waiting[key] = WaitingCaller(
                pbx=fact.pbx,
                linkedid=fact.linkedid,
                queue=fact.queue,
                channel=fact.channel,
                caller=fact.caller,
                since=first,
            )
        elif isinstance(fact, CallAnswered | CallAbandoned | QueueLeftUnanswered | CallOverflowed):
            self.waiting.pop((fact.pbx, fact.linkedid), None)
        elif isinstance(fact, CallEnded):
            key = (fact.pbx, fact.linkedid)
            self.waiting.pop(key, None)
            self.withdrawn.discard(key)
            self.first_offered.pop(key, None)

    def due(self, rule: WithdrawRule, now: float) -> list[WaitingCaller]:
        """Callers to withdraw now, longest waiting first (each until `done` is said of it)."""
        if not rule.enabled:
            return []
        due = [
            c
            for key, c in self.waiting.items()
            if key not in self.withdrawn
            and c.caller  # a number to call back
            and c.channel
            and rule.covers(c.queue)
            and now - c.since >= rule.after_s
        ]
        due.sort(key=lambda c: c.since)
        return due

    def done(self, caller: WaitingCaller) -> None:
        """The withdraw was sent (or refused for good): never again for this call."""
        self.withdrawn.add((caller.pbx, caller.linkedid))
