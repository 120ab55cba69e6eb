"""Port of transferring work items: one compare-and-set move to another group."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Transfer:
    """Send an item to `group`, applied only while it is still as the caller saw it: in
    `expected_status` and `expected_group`, held by `expected_holder` (None: nobody)."""

    item_id: int
    expected_status: str
    expected_group: str
    expected_holder: str | None
    group: str
    due_at: datetime | None
    actor: str
    at: datetime
    note: str | None = None


class WorkTransferStore(Protocol):
    """Moves an item to another group in one transaction."""

    async def transfer(self, move: Transfer) -> bool:
        """Back to `new` in the new group with its new due time, nobody holding it (its offer
        withdrawn, the last holder among those not to offer it to again), the move logged;
        False if the item changed meanwhile."""
        ...
