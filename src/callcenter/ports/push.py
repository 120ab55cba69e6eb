"""The messages pushed to agents' desktops and the wallboard, and the notifier that sends them.

One frozen dataclass per message type; adapters/push/protocol.py alone turns them into the JSON
on the wire (the contracts in DESIGN.md). A new pushed message is a dataclass here, a method on
Notifier, its encoding in protocol.py and its record in the test fake.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class PoppedCall:
    """The call part of a screen-pop: which call rings the agent, and how it was routed."""

    linkedid: str
    pbx: str
    caller: str | None
    caller_name: str | None
    queue: str | None
    waited_s: float
    ringing_since: str  # ISO 8601
    routing_reason: str | None
    priority: str | None
    direction: str = "inbound"  # outbound: the agent dialled the customer (`caller`)


@dataclass(frozen=True, slots=True)
class ScreenPop:
    """A call rings the agent: the caller lookup and the customer bundle, as far as known.

    `caller` and `bundle` are the JSON views of domain.customers.lookup.LookupResult and
    domain.customers.screen_pop.Bundle; `complete` is false while they are still being fetched.
    """

    call: PoppedCall
    complete: bool
    caller: Mapping[str, Any]
    bundle: Mapping[str, Any] | None
    error: str | None = None
    campaign: Mapping[str, Any] | None = None  # a campaign call: record, script, offer, codes


@dataclass(frozen=True, slots=True)
class CallEndedOnDesk:
    """How the agent's call ended, and whether a disposition is now expected."""

    outcome: str
    talk_s: float
    customer_id: int | None
    disposition_required: bool


@dataclass(frozen=True, slots=True)
class CallUpdate:
    """The agent's call changed: `missed`, `answered`, or `ended` (then `ended` says how)."""

    state: str
    linkedid: str
    pbx: str
    ended: CallEndedOnDesk | None = None


@dataclass(frozen=True, slots=True)
class AgentState:
    """The agent's presence as the PBX reports it."""

    agent: str
    state: str
    reason: str | None
    queues: tuple[str, ...]
    paused_in: tuple[str, ...]
    since: float


@dataclass(frozen=True, slots=True)
class WallboardFigures:
    """Today's figures per group and agent (the snapshot shape of contracts.md)."""

    figures: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class WorkOffered:
    """A work item is reserved for the agent until `expires_at` (ISO 8601): accept or reject."""

    item_id: int
    kind: str
    group: str
    customer_id: int | None
    caller: str | None
    note: str | None
    priority: int
    due_at: str | None
    expires_at: str
    timeout_s: float
    attempts: int = 0


@dataclass(frozen=True, slots=True)
class WorkUpdate:
    """A work item of the agent's changed: accepted, withdrawn (timed out), dialling, answered,
    retry, done, failed or transferred; `outcome` says how a callback attempt ended."""

    item_id: int
    state: str
    outcome: str | None = None
    customer_id: int | None = None
    caller: str | None = None
    group: str | None = None  # transferred: the group it went to


class Notifier(Protocol):
    """Pushes typed messages: to one agent's desktop (by agent code) or to the wallboard."""

    def screen_pop(self, agent: str, message: ScreenPop) -> None: ...

    def call_update(self, agent: str, message: CallUpdate) -> None: ...

    def agent_state(self, agent: str, message: AgentState) -> None: ...

    def wallboard(self, message: WallboardFigures) -> None: ...

    def work_offer(self, agent: str, message: WorkOffered) -> None: ...

    def work_update(self, agent: str, message: WorkUpdate) -> None: ...
