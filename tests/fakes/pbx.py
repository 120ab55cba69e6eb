"""A PBX that records every command and can refuse one the way Asterisk does."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from callcenter.services.errors import PbxRefused, PbxUnavailable


@dataclass
class FakePbxCommands:
    """Records (command, arguments); `refuse[command] = message` makes that command fail."""

    connected: bool = True
    commands: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    refuse_queue: dict[str, str] = field(default_factory=dict)  # add_member refused per queue
    members: dict[str, set[str]] = field(default_factory=dict)  # queue -> interfaces
    live_legs: dict[str, str] = field(default_factory=dict)  # linkedid -> customer channel
    _next_id: int = 0

    def _do(self, command: str, **arguments: Any) -> None:
        if not self.connected:
            raise PbxUnavailable("not connected to Asterisk 'fake'")
        if command in self.refuse:
            raise PbxRefused(command, self.refuse[command])
        self.commands.append((command, arguments))

    def sent(self, command: str) -> list[dict[str, Any]]:
        """The arguments of every accepted `command`, in order."""
        return [args for name, args in self.commands if name == command]

    async def add_member(
        self,
        *,
        queue: str,
        interface: str,
        member_name: str,
        state_interface: str | None,
        penalty: int,
    ) -> None:
        if queue in self.refuse_queue:
            raise PbxRefused("QueueAdd", self.refuse_queue[queue])
        self._do(
            "add_member",
            queue=queue,
            interface=interface,
            member_name=member_name,
            state_interface=state_interface,
            penalty=penalty,
        )
        self.members.setdefault(queue, set()).add(interface)

    async def remove_member(self, *, queue: str, interface: str) -> bool:
        if interface not in self.members.get(queue, set()):
            return False
        self._do("remove_member", queue=queue, interface=interface)
        self.members[queue].discard(interface)
        return True

    async def pause(self, *, interface: str, reason: str) -> None:
        self._do("pause", interface=interface, reason=reason)

    async def unpause(self, *, interface: str) -> None:
        self._do("unpause", interface=interface)

    async def originate_agent_first(
        self,
        *,
        agent_interface: str,
        dial: str,
        caller_name: str,
        caller_number: str,
        variables: Mapping[str, str],
    ) -> str:
        self._do(
            "originate_agent_first",
            agent_interface=agent_interface,
            dial=dial,
            caller_name=caller_name,
            caller_number=caller_number,
            variables=dict(variables),
        )
        self._next_id += 1
        return f"fake-dial-{self._next_id}"

    async def originate_customer_first(
        self,
        *,
        dial: str,
        caller_name: str,
        caller_number: str,
        variables: Mapping[str, str],
        ring_timeout_s: float,
    ) -> str:
        self._do(
            "originate_customer_first",
            dial=dial,
            caller_name=caller_name,
            caller_number=caller_number,
            variables=dict(variables),
            ring_timeout_s=ring_timeout_s,
        )
        self._next_id += 1
        return f"fake-campaign-{self._next_id}"

    async def customer_leg(self, *, linkedid: str, agent_interface: str) -> str | None:
        self._do("customer_leg", linkedid=linkedid, agent_interface=agent_interface)
        return self.live_legs.get(linkedid)

    async def redirect(self, *, channel: str, exten: str) -> None:
        self._do("redirect", channel=channel, exten=exten)

    async def spy(self, *, supervisor: str, channel: str, mode: str) -> str:
        self._do("spy", supervisor=supervisor, channel=channel, mode=mode)
        self._next_id += 1
        return f"fake-spy-{self._next_id}"

    async def switch_spy_mode(self, *, spyer_channel: str, mode: str) -> None:
        self._do("switch_spy_mode", spyer_channel=spyer_channel, mode=mode)

    async def mute_recording(self, *, channel: str, muted: bool) -> None:
        self._do("mute_recording", channel=channel, muted=muted)

    async def withdraw_caller(self, *, queue: str, channel: str, info: str) -> None:
        self._do("withdraw_caller", queue=queue, channel=channel, info=info)
