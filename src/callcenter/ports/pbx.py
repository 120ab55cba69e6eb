"""Commands to one Asterisk server, in call-center words.

The AMI adapter (adapters/ami/commands.py) alone turns these into actions and reads the replies.
Every command raises `services.errors.PbxRefused` with Asterisk's own message when Asterisk says
no, and `PbxUnavailable` when the server is not connected.

A new PBX command (campaign dialling, ChanSpy, MixMonitor, ...) is one more method here, one in
the AMI adapter and one in the test fake; its name says what happens to the call or the agent:
e.g. `spy(supervisor_interface, agent_interface, mode)`, `start_recording(channel, name)`,
`mute_recording(channel, muted)`, `withdraw_caller(channel)`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol


class PbxCommands(Protocol):
    """One Asterisk server's queue, call and origination commands."""

    @property
    def connected(self) -> bool:
        """Whether commands can be sent now."""
        ...

    async def add_member(
        self,
        *,
        queue: str,
        interface: str,
        member_name: str,
        state_interface: str | None,
        penalty: int,
    ) -> None:
        """Make the agent's interface a dynamic member of the queue with this penalty."""
        ...

    async def remove_member(self, *, queue: str, interface: str) -> bool:
        """Take the interface out of the queue; False when it was not a member (or no queue)."""
        ...

    async def pause(self, *, interface: str, reason: str) -> None:
        """Pause the member in every queue it is in, with a reason Asterisk logs."""
        ...

    async def unpause(self, *, interface: str) -> None:
        """Unpause the member in every queue it is in."""
        ...

    async def originate_agent_first(
        self,
        *,
        agent_interface: str,
        dial: str,
        caller_name: str,
        caller_number: str,
        variables: Mapping[str, str],
    ) -> str:
        """Ring the agent's phone, then dial `dial` (trunk digits) when the agent answers.

        Returns the request's reference (the ActionID Asterisk reports the outcome under).
        """
        ...

    async def originate_customer_first(
        self,
        *,
        dial: str,
        caller_name: str,
        caller_number: str,
        variables: Mapping[str, str],
        ring_timeout_s: float,
    ) -> str:
        """Ring the customer's line (`dial`: trunk digits) first; once they answer, the
        dialplan's [outbound-connect] runs AMD and puts them through to the campaign's queue.

        Returns the request's reference; the outcome comes as call facts (and OriginateResponse).
        """
        ...

    async def customer_leg(self, *, linkedid: str, agent_interface: str) -> str | None:
        """The channel of the other party of the agent's call `linkedid`, None if it is gone."""
        ...

    async def redirect(self, *, channel: str, exten: str) -> None:
        """Send a channel to a transfer extension (700N: the group's queue); its peer hangs up."""
        ...

    async def spy(self, *, supervisor: str, channel: str, mode: str) -> str:
        """Ring the supervisor's phone into ChanSpy on the agent's live `channel`.

        `mode` is listen (hear both sides), whisper (the agent hears the supervisor too) or barge
        (everyone hears the supervisor). Returns the Originate's reference (its ActionID).
        """
        ...

    async def switch_spy_mode(self, *, spyer_channel: str, mode: str) -> None:
        """Switch a running ChanSpy (the supervisor's `spyer_channel`) to listen/whisper/barge
        without hanging up."""
        ...

    async def mute_recording(self, *, channel: str, muted: bool) -> None:
        """Pause (muted) or resume the MixMonitor recording running on `channel`."""
        ...

    async def withdraw_caller(self, *, queue: str, channel: str, info: str) -> None:
        """Take the caller on `channel` out of `queue` (its Queue() returns WITHDRAW, `info` in
        QUEUE_WITHDRAW_INFO): the dialplan tells them they will be called back."""
        ...


@dataclass(frozen=True)
class PbxSnapshot:
    """What a PBX listed when the connection came back (CoreShowChannels): its live calls and
    the trunk digits of the customer-first legs still up (`Local/<digits>@cc-dial-out-…`),
    each with its call's Linkedid."""

    pbx: str
    linkedids: frozenset[str]
    dialling: Mapping[str, str]


class PbxWatcher(Protocol):
    """Told about a PBX connection (in event order, from the listener's one consumer)."""

    def connection_changed(self, pbx: str, connected: bool) -> None:
        """The connection dropped (False) or logged in again (True); nothing is known until
        the resync."""
        ...

    def resynced(self, snapshot: PbxSnapshot) -> None:
        """The PBX's lists after a login, once the calls gone meanwhile were ended."""
        ...
