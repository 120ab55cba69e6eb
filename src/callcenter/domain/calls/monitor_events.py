"""Outbound, AMD, ChanSpy and MixMonitor events: what Asterisk told us, in our words (`...Seen`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DialStatusSeen:
    """Dial() on `channel` (in dialplan `context`/`exten`) ended with `status` (DIALSTATUS)."""

    pbx: str
    at: float
    linkedid: str
    channel: str
    status: str
    context: str
    exten: str


@dataclass(frozen=True, slots=True)
class OriginateResponseSeen:
    """The result of an Originate (ours only when `ours`); `reason` 4 answered, 5 busy, 3 no
    answer, 8 congestion, 0 failed. `channel` is the dial string as sent when it failed."""

    pbx: str
    at: float
    uniqueid: str | None
    channel: str
    context: str
    success: bool
    reason: int
    ours: bool


@dataclass(frozen=True, slots=True)
class AmdResultSeen:
    """Answering-machine detection on `channel` said `status` (HUMAN, MACHINE, NOTSURE)."""

    pbx: str
    at: float
    linkedid: str
    channel: str
    status: str


@dataclass(frozen=True, slots=True)
class SpyStartedSeen:
    """A supervisor leg (`spyer_*`, a call of its own) started or stopped spying on a channel."""

    pbx: str
    at: float
    spyer_linkedid: str
    spyer_channel: str
    spyee_linkedid: str
    spyee_channel: str
    started: bool


@dataclass(frozen=True, slots=True)
class KeyPressedSeen:
    """A keypad digit arrived on a channel (DTMFEnd, received): a caller's or a supervisor's."""

    pbx: str
    at: float
    linkedid: str
    channel: str
    digit: str


@dataclass(frozen=True, slots=True)
class RecordingSeen:
    """A MixMonitor recording of `channel` writes the file `file` (base name)."""

    pbx: str
    at: float
    linkedid: str
    channel: str
    file: str
