"""PbxCommands over AMI: the one place that builds actions and reads Asterisk's replies."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Protocol

from callcenter.adapters.ami import actions as ami
from callcenter.adapters.ami.listener import AmiActionError
from callcenter.services.errors import PbxRefused, PbxUnavailable

# What Asterisk says to a QueueRemove when there is nothing to remove: not an error for a logout
_NOT_A_MEMBER = ("not there", "no such queue")


class AmiSession(Protocol):
    """One AMI connection (the AmiListener)."""

    @property
    def connected(self) -> bool: ...

    async def send_action(
        self, action: Mapping[str, Any], *, as_list: bool | None = None
    ) -> Any: ...


class AmiCommands:
    """The PbxCommands port for one Asterisk server."""

    def __init__(self, session: AmiSession, *, name: str = "") -> None:
        self._session = session
        self.name = name

    @property
    def connected(self) -> bool:
        return self._session.connected

    async def add_member(
        self,
        *,
        queue: str,
        interface: str,
        member_name: str,
        state_interface: str | None,
        penalty: int,
    ) -> None:
        await self._send(
            ami.queue_add(
                queue=queue,
                interface=interface,
                member_name=member_name,
                state_interface=state_interface,
                penalty=penalty,
            )
        )

    async def remove_member(self, *, queue: str, interface: str) -> bool:
        try:
            await self._send(ami.queue_remove(queue=queue, interface=interface))
        except PbxRefused as exc:
            if any(text in exc.message.lower() for text in _NOT_A_MEMBER):
                return False
            raise
        return True

    async def pause(self, *, interface: str, reason: str) -> None:
        await self._send(ami.queue_pause(interface=interface, paused=True, reason=reason))

    async def unpause(self, *, interface: str) -> None:
        await self._send(ami.queue_pause(interface=interface, paused=False))

    async def originate_agent_first(
        self,
        *,
        agent_interface: str,
        dial: str,
        caller_name: str,
        caller_number: str,
        variables: Mapping[str, str],
    ) -> str:
        action_id = ami.new_action_id("dial")
        await self._send(
            ami.originate(
                channel=ami.originate_channel(agent_interface),
                exten=dial,
                caller_id=ami.caller_id(caller_name, caller_number),
                variables=variables,
                action_id=action_id,
            )
        )  # Async: the reply is the acceptance, not the agent answering
        return action_id

    async def originate_customer_first(
        self,
        *,
        dial: str,
        caller_name: str,
        caller_number: str,
        variables: Mapping[str, str],
        ring_timeout_s: float,
    ) -> str:
        action_id = ami.new_action_id("campaign")
        await self._send(
            ami.originate(
                channel=ami.customer_originate_channel(dial),
                context=ami.CUSTOMER_FIRST_CONTEXT,
                exten="s",
                caller_id=ami.caller_id(caller_name, caller_number),
                variables=variables,
                action_id=action_id,
                timeout_ms=int(ring_timeout_s * 1000),
            )
        )  # Async: the reply is the acceptance; the customer's answer comes as events
        return action_id

    async def customer_leg(self, *, linkedid: str, agent_interface: str) -> str | None:
        reply = await self._send(ami.core_show_channels(), as_list=True)
        return ami.customer_channel(ami.live_channels(reply), linkedid, agent_interface)

    async def redirect(self, *, channel: str, exten: str) -> None:
        await self._send(ami.redirect(channel=channel, exten=exten))

    async def spy(self, *, supervisor: str, channel: str, mode: str) -> str:
        action_id = ami.new_action_id("spy")
        await self._send(
            ami.originate_spy(
                channel=ami.originate_channel(supervisor),
                spied=channel,
                mode=mode,
                caller_id=ami.caller_id(f"{mode} {channel}", "spy"),
                action_id=action_id,
            )
        )  # Async: the reply is the acceptance; ChanSpyStart follows once the supervisor answers
        return action_id

    async def switch_spy_mode(self, *, spyer_channel: str, mode: str) -> None:
        await self._send(ami.spy_mode_dtmf(spyer_channel=spyer_channel, mode=mode))

    async def mute_recording(self, *, channel: str, muted: bool) -> None:
        await self._send(ami.mix_monitor_mute(channel=channel, muted=muted))

    async def withdraw_caller(self, *, queue: str, channel: str, info: str) -> None:
        await self._send(ami.queue_withdraw_caller(queue=queue, channel=channel, info=info))

    async def _send(self, action: ami.AmiAction, *, as_list: bool = False) -> Any:
        # as_list=False for single replies: else panoramisk waits for events that may never come
        if not self._session.connected:
            raise PbxUnavailable(f"not connected to Asterisk {self.name!r}")
        try:
            return await self._session.send_action(action, as_list=as_list)
        except AmiActionError as exc:
            raise PbxRefused(exc.action, exc.message) from exc


class AmiCommandsByServer(Mapping[str, AmiCommands]):
    """A live view of the AMI sessions by server name, each seen through AmiCommands.

    The sessions may be added after this view is handed out (the listeners start later).
    """

    def __init__(self, sessions: Mapping[str, AmiSession]) -> None:
        self._sessions = sessions
        self._commands: dict[str, tuple[AmiSession, AmiCommands]] = {}

    def __getitem__(self, name: str) -> AmiCommands:
        session = self._sessions[name]
        known = self._commands.get(name)
        if known is None or known[0] is not session:
            known = self._commands[name] = (session, AmiCommands(session, name=name))
        return known[1]

    def __iter__(self) -> Iterator[str]:
        return iter(self._sessions)

    def __len__(self) -> int:
        return len(self._sessions)
