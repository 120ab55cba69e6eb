"""Facts the call state machine derives from domain events; the rest of the system reacts."""

from __future__ import annotations

from dataclasses import dataclass

from callcenter.domain.calls.records import CallRecord


@dataclass(frozen=True, slots=True)
class CallOffered:
    """A call entered a queue (first time, after an overflow, or after a transfer)."""

    pbx: str
    at: float
    linkedid: str
    queue: str
    caller: str | None
    caller_name: str | None
    routing: tuple[tuple[str, str], ...] = ()  # CC_* variables the hook set (segment, priority)
    channel: str = ""  # the caller's channel in the queue (what QueueWithdrawCaller names)


@dataclass(frozen=True, slots=True)
class RingStarted:
    """An agent's phone rings for a call: the moment for the screen-pop."""

    pbx: str
    at: float
    linkedid: str
    agent: str
    interface: str
    queue: str
    caller: str | None
    caller_name: str | None
    waited_s: float
    routing: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class AgentFoundOnCall:
    """A resync found an agent ringing or talking on a call whose ring this process never saw
    (it took over the AMI connection, or the ring fell in an outage): the agent still needs the
    pop. `ringing` tells the two apart; `at` is when the snapshot was read."""

    pbx: str
    at: float
    linkedid: str
    agent: str
    interface: str
    queue: str | None
    caller: str | None
    caller_name: str | None
    ringing: bool


@dataclass(frozen=True, slots=True)
class RingNoAnswer:
    """An agent let the call ring out; the queue tries again."""

    pbx: str
    at: float
    linkedid: str
    agent: str
    interface: str
    queue: str
    ring_s: float


@dataclass(frozen=True, slots=True)
class CallAnswered:
    """An agent answered; `waited_s` is the call's queue time so far, all queues together."""

    pbx: str
    at: float
    linkedid: str
    agent: str
    interface: str
    queue: str
    waited_s: float


@dataclass(frozen=True, slots=True)
class CallAbandoned:
    """The caller hung up while waiting in a queue."""

    pbx: str
    at: float
    linkedid: str
    queue: str
    waited_s: float


@dataclass(frozen=True, slots=True)
class QueueLeftUnanswered:
    """A call left a queue unanswered without hanging up (Queue() timeout and the like)."""

    pbx: str
    at: float
    linkedid: str
    queue: str
    reason: str
    waited_s: float


@dataclass(frozen=True, slots=True)
class CallOverflowed:
    """A call that timed out in one queue entered another."""

    pbx: str
    at: float
    linkedid: str
    from_queue: str
    to_queue: str


@dataclass(frozen=True, slots=True)
class CallTransferred:
    """An agent transferred the call to another extension (usually another group's queue)."""

    pbx: str
    at: float
    linkedid: str
    agent: str | None
    context: str
    exten: str


@dataclass(frozen=True, slots=True)
class CallLeftAgent:
    """The call left this agent (transferred away) while it goes on with someone else."""

    pbx: str
    at: float
    linkedid: str
    agent: str
    interface: str
    reason: str
    talk_s: float = 0.0  # this agent's talk with the customer


@dataclass(frozen=True, slots=True)
class CallEnded:
    """A call is over; `record` is what gets stored and reported."""

    pbx: str
    at: float
    linkedid: str
    record: CallRecord
    customer_channel: str | None
    agent_interface: str | None
    queued_at: float | None = None  # when the caller entered its first queue (None: never)


@dataclass(frozen=True, slots=True)
class AgentStateChanged:
    """An agent's state changed: available / ringing / on_call / wrap_up / paused / logged_out."""

    pbx: str
    at: float
    interface: str
    member_name: str | None
    state: str
    reason: str | None
    queues: tuple[str, ...]
    paused_in: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SpyChanged:
    """A supervisor's ChanSpy on a call's channel started or stopped (ChanSpyStart / Stop)."""

    pbx: str
    at: float
    linkedid: str  # the spied-on call
    spyer_channel: str
    spyee_channel: str
    started: bool


@dataclass(frozen=True, slots=True)
class SpyKeyed:
    """The supervisor's ChanSpy leg got a mode key (4 listen, 5 whisper, 6 barge under ChanSpy's
    option d): pressed on their phone, or sent by the backend's own switch."""

    pbx: str
    at: float
    spyer_channel: str
    mode: str


CallFact = (
    CallOffered
    | RingStarted
    | AgentFoundOnCall
    | RingNoAnswer
    | CallAnswered
    | CallAbandoned
    | QueueLeftUnanswered
    | CallOverflowed
    | CallTransferred
    | CallLeftAgent
    | CallEnded
)
Fact = CallFact | AgentStateChanged | SpyChanged | SpyKeyed
