"""Domain events: what happened on the PBX, in our words; built only by adapters.ami.translate."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ChannelCreatedSeen:
    """A channel leg of a call came into existence."""

    pbx: str
    at: float
    linkedid: str
    channel: str
    uniqueid: str


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
    """A channel leg is gone."""

    pbx: str
    at: float
    linkedid: str
    channel: str
    uniqueid: str
    cause: int


@dataclass(frozen=True, slots=True)
class CallerJoinedQueueSeen:
    """The customer's channel entered a queue."""

    pbx: str
    at: float
    linkedid: str
    channel: str
    queue: str
    number: str | None
    name: str | None
    position: int


@dataclass(frozen=True, slots=True)
class AgentRingingSeen:
    """A queue rings an agent for a waiting customer."""

    pbx: str
    at: float
    linkedid: str
    queue: str
    interface: str
    member_name: str | None
    agent_channel: str


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
    """An agent answered a queue call; `hold_s` is the wait in this queue as the PBX counted it."""

    pbx: str
    at: float
    linkedid: str
    queue: str
    interface: str
    member_name: str | None
    agent_channel: str
    hold_s: float
    ring_s: float


@dataclass(frozen=True, slots=True)
class CallerLeftQueueSeen:
    """The customer left a queue (answered, abandoned or timed out)."""

    pbx: str
    at: float
    linkedid: str
    channel: str
    queue: str


@dataclass(frozen=True, slots=True)
class CallerAbandonedSeen:
    """The customer left a queue unanswered: a hang-up, or a Queue() timeout (see QueueResultSeen)."""

    pbx: str
    at: float
    linkedid: str
    channel: str
    queue: str
    hold_s: float


@dataclass(frozen=True, slots=True)
class QueueResultSeen:
    """Queue() returned without an answer for a reason other than a hang-up (e.g. TIMEOUT)."""

    pbx: str
    at: float
    linkedid: str
    channel: str
    status: str


@dataclass(frozen=True, slots=True)
class RoutingVariableSeen:
    """Our routing hook set a CC_* channel variable."""

    pbx: str
    at: float
    linkedid: str
    channel: str
    name: str
    value: str


@dataclass(frozen=True, slots=True)
class TransferSeen:
    """An agent blind-transferred the customer to another extension."""

    pbx: str
    at: float
    linkedid: str
    agent_channel: str
    customer_channel: str
    context: str
    exten: str
    success: bool


@dataclass(frozen=True, slots=True)
class AgentCompleteSeen:
    """An agent's part of a queue call ended; `reason` is caller / agent / transfer."""

    pbx: str
    at: float
    linkedid: str
    queue: str
    interface: str
    member_name: str | None
    agent_channel: str
    hold_s: float
    talk_s: float
    reason: str


@dataclass(frozen=True, slots=True)
class DialBeginSeen:
    """A channel that is not in a queue dials out to a number."""

    pbx: str
    at: float
    linkedid: str
    channel: str
    dest_channel: str
    number: str


@dataclass(frozen=True, slots=True)
class DialEndSeen:
    """A dial from `channel` to `dest_channel` ended with ANSWER."""

    pbx: str
    at: float
    linkedid: str
    channel: str
    dest_channel: str


@dataclass(frozen=True, slots=True)
class OriginateResponseSeen:
    """A call we originated is up on its first leg; the call is ours, so outbound."""

    pbx: str
    at: float
    uniqueid: str
    channel: str


@dataclass(frozen=True, slots=True)
class MemberAddedSeen:
    """An agent interface joined a queue (logged in to a group)."""

    pbx: str
    at: float
    queue: str
    interface: str
    member_name: str | None
    penalty: int
    paused: bool
    reason: str | None


@dataclass(frozen=True, slots=True)
class MemberRemovedSeen:
    """An agent interface left a queue."""

    pbx: str
    at: float
    queue: str
    interface: str
    member_name: str | None


@dataclass(frozen=True, slots=True)
class MemberPausedSeen:
    """An agent was paused (with a reason) or unpaused in one queue."""

    pbx: str
    at: float
    queue: str
    interface: str
    member_name: str | None
    paused: bool
    reason: str | None


@dataclass(frozen=True, slots=True)
class MemberStatusSeen:
    """An agent's device state as a queue sees it (1 idle, 2 in use, 6 ringing, ...)."""

    pbx: str
    at: float
    queue: str
    interface: str
    member_name: str | None
    device_state: int
    in_call: bool
    paused: bool
    reason: str | None
    penalty: int
    wrapup_s: float


@dataclass(frozen=True, slots=True)
class MemberPenaltySeen:
    """An agent's penalty (inverse skill level) in a queue changed."""

    pbx: str
    at: float
    queue: str
    interface: str
    member_name: str | None
    penalty: int


@dataclass(frozen=True, slots=True)
class QueueMemberSnapshotSeen:
    """One member of a queue as listed by a QueueStatus action (resync)."""

    pbx: str
    at: float
    queue: str
    interface: str
    member_name: str | None
    device_state: int
    in_call: bool
    paused: bool
    reason: str | None
    penalty: int


@dataclass(frozen=True, slots=True)
class QueueEntrySnapshotSeen:
    """One caller waiting in a queue as listed by a QueueStatus action (resync)."""

    pbx: str
    at: float
    queue: str
    channel: str
    uniqueid: str
    number: str | None
    name: str | None
    wait_s: float
    position: int


@dataclass(frozen=True, slots=True)
class ChannelSnapshotSeen:
    """One live channel as listed by a CoreShowChannels action (resync)."""

    pbx: str
    at: float
    linkedid: str
    channel: str
    uniqueid: str
    number: str | None
    name: str | None
    application: str
    application_data: str
    duration_s: float
    bridged: bool


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
    | OriginateResponseSeen
    | MemberAddedSeen
    | MemberRemovedSeen
    | MemberPausedSeen
    | MemberStatusSeen
    | MemberPenaltySeen
    | QueueMemberSnapshotSeen
    | QueueEntrySnapshotSeen
    | ChannelSnapshotSeen
)
