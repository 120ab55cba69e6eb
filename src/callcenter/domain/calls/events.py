"""Call events: what Asterisk told us about calls, in our words; every name ends in `Seen`.

Built only by adapters.ami.translate; facts (what we concluded) live in calls.facts.
"""

from __future__ import annotations

from dataclasses import dataclass

from callcenter.domain.calls.member_events import (
    ChannelSnapshotSeen,
    MemberAddedSeen,
    MemberPausedSeen,
    MemberPenaltySeen,
    MemberRemovedSeen,
    MemberStatusSeen,
    QueueEntrySnapshotSeen,
    QueueMemberSnapshotSeen,
)
from callcenter.domain.calls.monitor_events import (
    AmdResultSeen,
    DialStatusSeen,
    KeyPressedSeen,
    OriginateResponseSeen,
    RecordingSeen,
    SpyStartedSeen,
)


@dataclass(frozen=True, slots=True)
class ChannelCreatedSeen:
    """A channel leg of a call came into existence, in dialplan `context`/`exten`."""

    pbx: str
    at: float
    linkedid: str
    channel: str
    uniqueid: str
    context: str = ""
    exten: str = ""


@dataclass(frozen=True, slots=True)
class CallerIdSeen:
    """A channel's caller ID was set; `withheld` when presentation is restricted."""

    pbx: str
    at: float
    linkedid: str
    channel: str
    uniqueid: str
    number: str | None
    name: str | None
    withheld: bool


@dataclass(frozen=True, slots=True)
class ChannelHungUpSeen:
    """A channel leg is gone; `cause` is the Q.850 cause (17 busy, 19 no answer, 34 congestion)."""

    pbx: str
    at: float
    linkedid: str
    channel: str
    uniqueid: str
    cause: int


@dataclass(frozen=True, slots=True)
class CallerJoinedQueueSeen:
    """A caller channel entered a queue from dialplan `context`/`exten`."""

    pbx: str
    at: float
    linkedid: str
    channel: str
    queue: str
    number: str | None
    name: str | None
    position: int
    context: str = ""
    exten: str = ""


@dataclass(frozen=True, slots=True)
class AgentRingingSeen:
    """A queue rings an agent for the caller on `channel`."""

    pbx: str
    at: float
    linkedid: str
    queue: str
    interface: str
    member_name: str | None
    agent_channel: str
    channel: str = ""


@dataclass(frozen=True, slots=True)
class AgentRingNoAnswerSeen:
    """An agent let a queue call ring out."""

    pbx: str
    at: float
    linkedid: str
    queue: str
    interface: str
    member_name: str | None
    agent_channel: str
    ring_s: float


@dataclass(frozen=True, slots=True)
class AgentConnectedSeen:
    """An agent answered the queue caller on `channel`; `hold_s` is the wait the PBX counted."""

    pbx: str
    at: float
    linkedid: str
    queue: str
    interface: str
    member_name: str | None
    agent_channel: str
    hold_s: float
    ring_s: float
    channel: str = ""


@dataclass(frozen=True, slots=True)
class CallerLeftQueueSeen:
    """A caller left a queue (answered, abandoned or timed out)."""

    pbx: str
    at: float
    linkedid: str
    channel: str
    queue: str


@dataclass(frozen=True, slots=True)
class CallerAbandonedSeen:
    """A caller left a queue unanswered: a hang-up, a timeout or a withdrawal (QueueResultSeen)."""

    pbx: str
    at: float
    linkedid: str
    channel: str
    queue: str
    hold_s: float


@dataclass(frozen=True, slots=True)
class QueueResultSeen:
    """Queue() returned with `status` (QUEUESTATUS: TIMEOUT, WITHDRAW, FULL...)."""

    pbx: str
    at: float
    linkedid: str
    channel: str
    status: str


@dataclass(frozen=True, slots=True)
class RoutingVariableSeen:
    """Our routing hook or dialplan set a CC_* channel variable."""

    pbx: str
    at: float
    linkedid: str
    channel: str
    name: str
    value: str


@dataclass(frozen=True, slots=True)
class TransferSeen:
    """A transfer of the customer away from an agent: `kind` blind or attended."""

    pbx: str
    at: float
    linkedid: str
    agent_channel: str
    customer_channel: str
    context: str
    exten: str
    success: bool
    kind: str = "blind"


@dataclass(frozen=True, slots=True)
class AgentCompleteSeen:
    """An agent's part of a queue call ended; `reason` is caller / agent / transfer.

    `agent_channel` is None when Asterisk left the agent leg's fields out.
    """

    pbx: str
    at: float
    linkedid: str
    queue: str
    interface: str
    member_name: str | None
    agent_channel: str | None
    hold_s: float
    talk_s: float
    reason: str


@dataclass(frozen=True, slots=True)
class DialBeginSeen:
    """`channel` (None for an Originate's own first leg) starts dialling `dest_channel`."""

    pbx: str
    at: float
    linkedid: str
    channel: str | None
    dest_channel: str
    dial_string: str
    number: str
    context: str


@dataclass(frozen=True, slots=True)
class DialEndSeen:
    """A dial from `channel` (None: an Originate's own leg) ended with `status` (ANSWER...)."""

    pbx: str
    at: float
    linkedid: str
    channel: str | None
    dest_channel: str
    status: str


DomainEvent = (
    ChannelCreatedSeen
    | CallerIdSeen
    | ChannelHungUpSeen
    | CallerJoinedQueueSeen
    | AgentRingingSeen
    | AgentRingNoAnswerSeen
    | AgentConnectedSeen
    | CallerLeftQueueSeen
    | CallerAbandonedSeen
    | QueueResultSeen
    | RoutingVariableSeen
    | TransferSeen
    | AgentCompleteSeen
    | DialBeginSeen
    | DialEndSeen
    | DialStatusSeen
    | OriginateResponseSeen
    | AmdResultSeen
    | SpyStartedSeen
    | KeyPressedSeen
    | RecordingSeen
    | MemberAddedSeen
    | MemberRemovedSeen
    | MemberPausedSeen
    | MemberStatusSeen
    | MemberPenaltySeen
    | QueueMemberSnapshotSeen
    | QueueEntrySnapshotSeen
    | ChannelSnapshotSeen
)

__all__ = [
    "AgentCompleteSeen",
    "AgentConnectedSeen",
    "AgentRingNoAnswerSeen",
    "AgentRingingSeen",
    "AmdResultSeen",
    "CallerAbandonedSeen",
    "CallerIdSeen",
    "CallerJoinedQueueSeen",
    "CallerLeftQueueSeen",
    "ChannelCreatedSeen",
    "ChannelHungUpSeen",
    "ChannelSnapshotSeen",
    "DialBeginSeen",
    "DialEndSeen",
    "DialStatusSeen",
    "DomainEvent",
    "KeyPressedSeen",
    "MemberAddedSeen",
    "MemberPausedSeen",
    "MemberPenaltySeen",
    "MemberRemovedSeen",
    "MemberStatusSeen",
    "OriginateResponseSeen",
    "QueueEntrySnapshotSeen",
    "QueueMemberSnapshotSeen",
    "QueueResultSeen",
    "RecordingSeen",
    "RoutingVariableSeen",
    "SpyStartedSeen",
    "TransferSeen",
]
