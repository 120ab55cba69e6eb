"""PbxCommands of a PBX whose AMI connection another process holds: each command over the bus.

`CommandsByLeader` is what agent control sees: for each PBX, the local AMI commands while this
process leads it, else `RemotePbxCommands` (the leader runs them and answers). The errors are the
same as locally: Asterisk's refusal comes back as `PbxRefused` with Asterisk's own message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from callcenter.adapters.bus.rpc import BusRpc
from callcenter.ports.pbx import PbxCommands


class RemotePbxCommands:
    """The PbxCommands port of one PBX, served by whichever process listens to it."""

    def __init__(self, rpc: BusRpc, pbx: str) -> None:
        self._rpc = rpc
        self.name = pbx

    @property
    def connected(self) -> bool:
        return self._rpc.healthy

    async def add_member(
        self,
        *,
        queue: str,
        interface: str,
        member_name: str,
        state_interface: str | None,
        penalty: int,
    ) -> None:
        await self._call(
            "add_member",
            queue=queue,
            interface=interface,
            member_name=member_name,
            state_interface=state_interface,
            penalty=penalty,
        )

    async def remove_member(self, *, queue: str, interface: str) -> bool:
        return bool(await self._call("remove_member", queue=queue, interface=interface))

    async def pause(self, *, interface: str, reason: str) -> None:
        await self._call("pause", interface=interface, reason=reason)

    async def unpause(self, *, interface: str) -> None:
        await self._call("unpause", interface=interface)

    async def originate_agent_first(
        self,
        *,
        agent_interface: str,
        dial: str,
        caller_name: str,
        caller_number: str,
        variables: Mapping[str, str],
    ) -> str:
        return str(
            await self._call(
                "originate_agent_first",
                agent_interface=agent_interface,
                dial=dial,
                caller_name=caller_name,
                caller_number=caller_number,
                variables=dict(variables),
            )
        )

    async def originate_customer_first(
        self,
        *,
        dial: str,
        caller_name: str,
        caller_number: str,
        variables: Mapping[str, str],
        ring_timeout_s: float,
    ) -> str:
        return str(
            await self._call(
                "originate_customer_first",
                dial=dial,
                caller_name=caller_name,
                caller_number=caller_number,
                variables=dict(variables),
                ring_timeout_s=ring_timeout_s,
            )
        )

    async def customer_leg(self, *, linkedid: str, agent_interface: str) -> str | None:
        channel = await self._call(
            "customer_leg", linkedid=linkedid, agent_interface=agent_interface
        )
        return None if channel is None else str(channel)

    async def redirect(self, *, channel: str, exten: str) -> None:
        await self._call("redirect", channel=channel, exten=exten)

    async def spy(self, *, supervisor: str, channel: str, mode: str) -> str:
        return str(await self._call("spy", supervisor=supervisor, channel=channel, mode=mode))

    async def switch_spy_mode(self, *, spyer_channel: str, mode: str) -> None:
        await self._call("switch_spy_mode", spyer_channel=spyer_channel, mode=mode)

    async def mute_recording(self, *, channel: str, muted: bool) -> None:
        await self._call("mute_recording", channel=channel, muted=muted)

    async def withdraw_caller(self, *, queue: str, channel: str, info: str) -> None:
        await self._call("withdraw_caller", queue=queue, channel=channel, info=info)

    async def _call(self, method: str, **kwargs: Any) -> Any:
        return await self._rpc.call(self.name, method, kwargs)


class CommandsByLeader(Mapping[str, PbxCommands]):
    """Per PBX: the local commands while this process leads it, else the remote ones."""

    def __init__(
        self,
        local: Mapping[str, PbxCommands],
        leading: Callable[[str], bool],
        rpc: BusRpc,
    ) -> None:
        self._local = local  # may fill up later (the listeners are built after this view)
        self._leading = leading
        self._rpc = rpc
        self._remote: dict[str, RemotePbxCommands] = {}

    def __getitem__(self, name: str) -> PbxCommands:
        local = self._local[name]  # KeyError for a PBX this process does not know
        if self._leading(name):
            return local
        remote = self._remote.get(name)
        if remote is None:
            remote = self._remote[name] = RemotePbxCommands(self._rpc, name)
        return remote

    def __iter__(self) -> Iterator[str]:
        return iter(self._local)

    def __len__(self) -> int:
        return len(self._local)
