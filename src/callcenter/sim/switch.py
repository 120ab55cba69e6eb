"""What a call scenario needs from the running PBX, and the handle of one live call."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from callcenter.sim.model import Channel, Member, Message, PbxModel, Queue
from callcenter.sim.recording import Recorder

# ext -> seconds until that agent answers, or None when the agent lets it ring.
AnswerPolicy = Callable[[str], float | None]
# (call spec, channel running the hook) -> variables set by the FastAGI server; raises on failure.
Router = Callable[["CallSpec", Channel], Awaitable[dict[str, str]]]


class Switch(Protocol):
    """What a scenario needs from the running PBX."""

    model: PbxModel
    noise: bool
    recorder: Recorder
    record_queue_calls: bool
    pbx_name: str  # the shipped dialplan's CC_PBX global: the prefix of its recordings' names
    calls: dict[str, CallHandle]  # live calls by their first channel's Uniqueid

    def emit(self, msg: Message) -> None: ...

    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


@dataclass
class CallSpec:
    """How one simulated inbound call behaves (durations in simulated seconds)."""

    caller_num: str | None
    caller_name: str | None
    entry: str
    queue: str | None = None
    answer: AnswerPolicy = field(default=lambda ext: 2.0)
    talk_s: float = 5.0
    hangup_by: str = "caller"
    patience_s: float | None = None
    max_wait_s: float = 600.0
    priority: int = 0
    transfer_to: str | None = None
    transfer_after_s: float = 3.0
    menu: str = ""


@dataclass
class Interrupt:
    """Something done to a live call from outside (an AMI action)."""

    # "hangup-caller", "hangup-agent", "transfer" (blind), "redirect", "withdraw", "atxfer"
    kind: str
    exten: str = ""
    context: str = ""


@dataclass
class HeldComplete:
    """A queue's AgentComplete that app_queue sends only when the customer hangs up (Redirect)."""

    queue: Queue
    member: Member
    hold: int
    answered: float


class CallHandle:
    """A live call's channels and its mailbox for interrupts."""

    def __init__(self, caller: Channel, twin: Channel) -> None:
        self.caller = caller
        self.twin = twin
        self.agent_legs: tuple[Channel, Channel] | None = None
        self.phone: Channel | None = None  # an agent's own phone a dialplan Dial() rang
        self.held: list[HeldComplete] = []
        self.connected = asyncio.Event()  # set once an agent has answered
        self.talking: tuple[Queue, Member, int, float] | None = None  # (queue, member, hold, t)
        self._event = asyncio.Event()
        self.pending: Interrupt | None = None

    def interrupt(self, what: Interrupt) -> None:
        """Deliver an interrupt to the call's coroutine."""
        self.pending = what
        self._event.set()

    async def wait(self, switch: Switch, seconds: float) -> Interrupt | None:
        """Sleep `seconds` of simulated time unless interrupted first."""
        if self.pending is None:
            sleeper = asyncio.ensure_future(switch.sleep(max(seconds, 0.0)))
            waiter = asyncio.ensure_future(self._event.wait())
            await asyncio.wait({sleeper, waiter}, return_when=asyncio.FIRST_COMPLETED)
            sleeper.cancel()
            waiter.cancel()
        got, self.pending = self.pending, None
        self._event.clear()
        return got

    def owns(self, channel: str) -> str | None:
        """'agent' or 'caller' when `channel` is one of this call's legs, else None."""
        if self.agent_legs is not None and channel in (c.name for c in self.agent_legs):
            return "agent"
        if channel in (self.caller.name, self.twin.name):
            return "caller"
        return None


def drop(sw: Switch, *channels: Channel) -> None:
    """Channels that hung up leave the PBX (and any recording on them ends)."""
    for ch in channels:
        sw.model.channels.pop(ch.name, None)
        sw.recorder.channel_gone(ch)
