"""The Notifier port over the push hub: typed messages encoded by protocol.py, then published."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

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


class Publisher(Protocol):
    """Where encoded messages go (the PushHub, which relays through the cluster bus if any)."""

    def publish(
        self, channel: str, type_: str, payload: Mapping[str, Any] | None = None
    ) -> int: ...


class HubNotifier:
    """Sends each typed message on its channel: `agent:<code>` or `wallboard`."""

    def __init__(self, hub: Publisher) -> None:
        self._hub = hub

    def screen_pop(self, agent: str, message: ScreenPop) -> None:
        self._hub.publish(agent_channel(agent), "screen_pop", screen_pop_payload(message))

    def call_update(self, agent: str, message: CallUpdate) -> None:
        self._hub.publish(agent_channel(agent), "call_update", call_update_payload(message))

    def agent_state(self, agent: str, message: AgentState) -> None:
        self._hub.publish(agent_channel(agent), "agent_state", agent_state_payload(message))

    def wallboard(self, message: WallboardFigures) -> None:
        self._hub.publish(WALLBOARD, "wallboard", wallboard_payload(message))

    def work_offer(self, agent: str, message: WorkOffered) -> None:
        self._hub.publish(agent_channel(agent), "work_offer", work_offer_payload(message))

    def work_update(self, agent: str, message: WorkUpdate) -> None:
        self._hub.publish(agent_channel(agent), "work_update", work_update_payload(message))
