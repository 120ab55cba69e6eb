"""What the router reads: live presence as the AMI listener last saw it; snapshots in memory."""

from __future__ import annotations

from callcenter.domain.agents.presence import PresenceBoard
from callcenter.domain.routing.inputs import CustomerSnapshot, LiveAgents


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


class InMemorySnapshots:
    """A SnapshotSource over a dict keyed by E.164 (tests, benchmarks, the route command)."""

    def __init__(self, snapshots: dict[str, CustomerSnapshot] | None = None) -> None:
        self.snapshots = dict(snapshots or {})

    async def snapshot_for(self, e164: str) -> CustomerSnapshot | None:
        """The stored snapshot, or None for an unknown number."""
        return self.snapshots.get(e164)
