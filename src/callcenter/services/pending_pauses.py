"""Pauses asked for while the agent's phone rings or is on a call: sent once that call is over."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from callcenter.domain.agents.presence import PresenceBoard
from callcenter.ports.pbx import PbxCommands
from callcenter.services.errors import PbxRefused, PbxUnavailable

log = logging.getLogger(__name__)

ON_A_CALL = frozenset({"ringing", "on_call"})  # app_queue would not pause a member mid-call


class PendingPauses:
    """Agent code -> (interface, reason) of a pause waiting for the agent's call to end."""

    def __init__(self, presence: PresenceBoard, pbx: Callable[[], PbxCommands]) -> None:
        self._presence = presence
        self._pbx = pbx
        self._pending: dict[str, tuple[str, str]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.on_change: Callable[[], None] = lambda: None  # the wallboard shows pending pauses

    def on_a_call(self, code: str) -> bool:
        """Whether the agent's phone rings or is on a call right now."""
        seen = self._presence.get(code)
        return seen is not None and seen.state in ON_A_CALL

    def hold(self, code: str, interface: str, reason: str) -> None:
        """Keep the pause until the call is over (a newer reason replaces an older one)."""
        self._pending[code] = (interface, reason)
        self.on_change()
        log.info("agent %s: pause (%s) pending until the call ends", code, reason)

    def drop(self, code: str) -> None:
        """Forget the agent's pending pause (the agent resumed or paused for real)."""
        if self._pending.pop(code, None) is not None:
            self.on_change()

    def reason(self, code: str) -> str | None:
        """The pending pause's reason, if any."""
        pending = self._pending.get(code)
        return pending[1] if pending else None

    def agent_state_changed(self) -> None:
        """Send the pauses of agents whose call is over (call after presence was updated)."""
        for code, (interface, reason) in list(self._pending.items()):
            seen = self._presence.get(code)
            if seen is None or seen.state in ON_A_CALL:
                continue
            del self._pending[code]
            self.on_change()
            if seen.state == "logged_out":
                continue
            task = asyncio.get_running_loop().create_task(self._send(code, interface, reason))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def aclose(self) -> None:
        """Wait for pauses being sent."""
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _send(self, code: str, interface: str, reason: str) -> None:
        try:
            await self._pbx().pause(interface=interface, reason=reason)
            log.info("agent %s: pending pause (%s) applied after the call", code, reason)
        except (PbxRefused, PbxUnavailable) as exc:
            log.warning("agent %s: pending pause (%s) failed: %s", code, reason, exc)
