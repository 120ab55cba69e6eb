"""One queued call as the queue_log tells it: its stays in queues, and the figures they give."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

# Events that close a call's stay in a queue, and what the stay came to.
ANSWERED_ENDS = frozenset(
    {"COMPLETECALLER", "COMPLETEAGENT", "BLINDTRANSFER", "ATTENDEDTRANSFER", "TRANSFER"}
)
TRANSFER_ENDS = frozenset({"BLINDTRANSFER", "ATTENDEDTRANSFER", "TRANSFER"})
UNANSWERED_ENDS: dict[str, str] = {
    "ABANDON": "abandoned",
    "EXITWITHTIMEOUT": "timeout",
    "EXITEMPTY": "timeout",
    "EXITWITHKEY": "callback_requested",  # the shipped queues' one exit key: 1, keep my place
    "WITHDRAW": "callback_requested",
}


@dataclass(slots=True)
class Stay:
    """One call's stay in one queue, as the queue_log tells it (times are whole epoch seconds)."""

    queue: str
    entered_at: int
    agent: str | None = None
    connected_at: int | None = None
    end: str | None = None
    ended_at: int | None = None
    wait_s: int = 0
    talk_s: int = 0
    rings: int = 0
    cut_at: int | None = None  # the caller entered another queue while this stay was still open
    consultation: bool = False  # an attended transfer's consultation: the customer was on hold


@dataclass(slots=True)
class QueuedCall:
    """Everything the queue_log says about one callid (its queue stays in order)."""

    callid: str
    caller: str | None
    stays: list[Stay]
    partial: bool = False  # the log begins in the middle of this call
    merged: list[str] = field(default_factory=list)  # callids folded in (attended consultation)

    @property
    def first_at(self) -> int:
        """When the call entered its first queue."""
        return self.stays[0].entered_at

    @property
    def queues(self) -> list[str]:
        """Queues entered, in order."""
        return [s.queue for s in sorted(self.stays, key=_entered)]

    @property
    def finished(self) -> bool:
        """Every stay closed (a call still waiting or talking at the log's end is not)."""
        return all(s.end is not None or s.cut_at is not None for s in self.stays)

    @property
    def outcome(self) -> str:
        """answered / abandoned / timeout / callback_requested / open."""
        if any(s.connected_at is not None for s in self.stays):
            return "answered"
        last = max(self.stays, key=_entered)
        if last.end is None:
            return "open"
        return UNANSWERED_ENDS.get(last.end, "abandoned")

    @property
    def agent(self) -> str | None:
        """The last agent who answered (member name as app_queue logs it)."""
        answered = [s for s in self.stays if s.connected_at is not None]
        return max(answered, key=_connected).agent if answered else None

    @property
    def wait_s(self) -> int:
        """The customer's hold time in every queue together (not a consultation's)."""
        return sum(s.wait_s for s in self.stays if not s.consultation)

    @property
    def transferred(self) -> bool:
        """Blind or attended transfer, or moved on to another queue while talking (Redirect)."""
        return any(s.end in TRANSFER_ENDS or (s.cut_at is not None) for s in self.stays)

    def talk_spans(self) -> list[tuple[int, int]]:
        """[from, to) of each answered stay; a stay left for another queue ends there."""
        spans: list[tuple[int, int]] = []
        for s in self.stays:
            if s.connected_at is None:
                continue
            until = s.connected_at + s.talk_s
            if s.cut_at is not None and s.cut_at > s.connected_at:
                until = min(until, s.cut_at)
            spans.append((s.connected_at, max(until, s.connected_at)))
        return spans

    @property
    def raw_talk_s(self) -> int:
        """The talk times app_queue logged, summed as they are."""
        return sum(s.talk_s for s in self.stays)

    @property
    def talk_s(self) -> int:
        """Seconds the customer spent talking: overlapping answered stays counted once."""
        return covered_seconds(self.talk_spans())

    @property
    def cut(self) -> bool:
        """A stay's logged talk ran on into a later queue (the Redirect weakness applied)."""
        return any(s.cut_at is not None and s.connected_at is not None for s in self.stays)

    def facts(self) -> CallFacts:
        """Every figure the comparison needs, at once (one stay, the common case, is quick)."""
        if len(self.stays) != 1:
            return CallFacts(
                self.queues,
                self.outcome,
                self.agent,
                self.wait_s,
                self.talk_s,
                self.raw_talk_s,
                self.transferred,
                self.cut,
                self.finished,
            )
        s = self.stays[0]
        end = s.end
        if s.connected_at is not None:
            outcome = "answered"
        else:
            outcome = "open" if end is None else UNANSWERED_ENDS.get(end, "abandoned")
        return CallFacts(
            [s.queue],
            outcome,
            s.agent if s.connected_at is not None else None,
            s.wait_s,
            s.talk_s if s.connected_at is not None else 0,
            s.talk_s,
            end in TRANSFER_ENDS,
            False,
            end is not None,
        )


class CallFacts(NamedTuple):
    """A QueuedCall's figures as compared with a stored record."""

    queues: list[str]
    outcome: str
    agent: str | None
    wait_s: int
    talk_s: int
    raw_talk_s: int
    transferred: bool
    cut: bool
    finished: bool


def _entered(stay: Stay) -> int:
    return stay.entered_at


def _connected(stay: Stay) -> int:
    return stay.connected_at or 0


def covered_seconds(spans: list[tuple[int, int]]) -> int:
    """Length of the union of [from, to) spans."""
    total, reach = 0, None
    for start, end in sorted(spans):
        if reach is None or start >= reach:
            total += end - start
            reach = end
        elif end > reach:
            total += end - reach
            reach = end
    return total
