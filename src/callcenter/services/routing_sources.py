"""What the router reads of the floor: live presence as the AMI listener last saw it."""

from __future__ import annotations

from callcenter.domain.agents.presence import PresenceBoard
from callcenter.domain.routing.inputs import LiveAgents


class BoardPresence:
    """AgentPresence over the live presence board (what the AMI listener last saw)."""

    def __init__(self, board: PresenceBoard) -> None:
        self._board = board

    async def live_agents(self) -> LiveAgents:
        """Per group: logged in, paused and busy agents."""
        return self._board.live_agents()


class NoPresence:
    """Presence when nothing reports agent state: nobody is known to be logged in."""

    async def live_agents(self) -> LiveAgents:
        """No groups, no agents."""
        return {}
