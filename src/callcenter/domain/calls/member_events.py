"""Member events: what Asterisk told us about agents in queues, in our words (`...Seen`)."""

from __future__ import annotations

from dataclasses import dataclass


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
    context: str = ""
