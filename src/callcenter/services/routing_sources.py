"""What the router reads: a caller's snapshot from the database, the floor from live presence."""

from __future__ import annotations

from callcenter.domain.presence import PresenceBoard
from callcenter.domain.routing_inputs import CustomerSnapshot, LiveAgents
from callcenter.services.ports import UowFactory


class DbSnapshots:
    """SnapshotSource over the database; a shared number gives no snapshot."""

    def __init__(self, *, uow: UowFactory) -> None:
        self._uow = uow

    async def snapshot_for(self, e164: str) -> CustomerSnapshot | None:
        """The routing snapshot of the one customer holding this number, else None."""
        async with self._uow() as uow:
            owners = await uow.phones.customers_by_e164(e164=e164)
            ids = {owner.customer.id for owner in owners}
            if len(ids) != 1:
                return None
            return await uow.customers.snapshot(customer_id=ids.pop())


class BoardPresence:
    """AgentPresence over the live presence board (what the AMI listener last saw)."""

    def __init__(self, board: PresenceBoard) -> None:
        self._board = board

    async def live_agents(self) -> LiveAgents:
        """Per group: logged in, paused and busy agents."""
        return self._board.live_agents()
