"""A notifier that keeps every typed message, and shows them as the wire would carry them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from callcenter.adapters.push.protocol import (
    WALLBOARD,
    agent_channel,
    agent_state_payload,
    call_update_payload,
    screen_pop_payload,
    wallboard_payload,
    work_offer_payload,
    work_update_payload,
)
from callcenter.ports.push import (
    AgentState,
    CallUpdate,
    ScreenPop,
    WallboardFigures,
    WorkOffered,
    WorkUpdate,
)

Message = ScreenPop | CallUpdate | AgentState | WallboardFigures | WorkOffered | WorkUpdate


@dataclass
class FakeNotifier:
    """`messages`: (agent code or None for the wallboard, typed message), in order."""

    messages: list[tuple[str | None, Message]] = field(default_factory=list)

    def screen_pop(self, agent: str, message: ScreenPop) -> None:
        self.messages.append((agent, message))

    def call_update(self, agent: str, message: CallUpdate) -> None:
        self.messages.append((agent, message))

    def agent_state(self, agent: str, message: AgentState) -> None:
        self.messages.append((agent, message))

    def wallboard(self, message: WallboardFigures) -> None:
        self.messages.append((None, message))

    def work_offer(self, agent: str, message: WorkOffered) -> None:
        self.messages.append((agent, message))

    def work_update(self, agent: str, message: WorkUpdate) -> None:
        self.messages.append((agent, message))

    @property
    def sent(self) -> list[tuple[str, str, dict[str, Any]]]:
        """(channel, type, payload) of each message, encoded as the push hub would send it."""
        return [_wire(agent, message) for agent, message in self.messages]


def _wire(agent: str | None, message: Message) -> tuple[str, str, dict[str, Any]]:
    if isinstance(message, WallboardFigures):
        return WALLBOARD, "wallboard", dict(wallboard_payload(message))
    assert agent is not None
    channel = agent_channel(agent)
    if isinstance(message, ScreenPop):
        return channel, "screen_pop", screen_pop_payload(message)
    if isinstance(message, CallUpdate):
        return channel, "call_update", call_update_payload(message)
    if isinstance(message, WorkOffered):
        return channel, "work_offer", work_offer_payload(message)
    if isinstance(message, WorkUpdate):
        return channel, "work_update", work_update_payload(message)
    return channel, "agent_state", agent_state_payload(message)
