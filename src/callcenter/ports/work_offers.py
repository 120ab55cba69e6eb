"""What the offering service reads and writes about work items and their offers.

Every write is a compare-and-set in its own transaction: an offer is made only to an item that
is still waiting (or still offered to the agent the caller believes holds it), so two passes,
two processes or a pass racing an accept can never offer one item to two agents at once.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class WorkEntry:
    """An open work item with its offer state."""

    id: int
    kind: str
    group: str
    status: str  # new, offered, accepted, in_progress (done/cancelled/failed once closed)
    priority: int
    customer_id: int | None
    caller: str | None
    note: str | None
    due_at: datetime | None
    created_at: datetime
    agent: str | None = None  # offered to / owned by
    expires_at: datetime | None = None  # of the offer
    declined: tuple[str, ...] = ()
    attempts: int = 0  # callback dial attempts made
    not_before: datetime | None = None  # a callback's next attempt
    outcome: str | None = None
    disposition: str | None = None
    preferred_agent: str | None = None  # the router's sticky agent, offered first when free
    call_ref: str | None = None  # the call that owes this callback (withdrawn / abandoned)


Moved = tuple[WorkEntry, str | None]  # an item sent elsewhere, and the agent who held it


class ChangedItems(Protocol):
    """Which items changed lately (the change feed's incremental read)."""

    async def changed_since(self, since: datetime, *, limit: int = 100_000) -> list[int]:
        """Ids of the items (any status) last changed after `since`, oldest change first."""
        ...


class WorkOfferStore(ChangedItems, Protocol):
    """Work items and offers, as stored."""

    async def open_entries(self, *, after_id: int = 0, limit: int = 50_000) -> list[WorkEntry]:
        """Items new, offered, accepted or in progress with id > after_id, oldest id first."""
        ...

    async def get(self, item_id: int) -> WorkEntry | None:
        """One item (whatever its status), or None."""
        ...

    async def entries(self, ids: Collection[int]) -> list[WorkEntry]:
        """These items as stored now, whatever their status (gone ones are left out)."""
        ...

    async def for_agent(self, agent: str) -> list[WorkEntry]:
        """The items offered to or owned by this agent and not closed."""
        ...

    async def offer(
        self, offers: list[tuple[int, str]], *, expires_at: datetime
    ) -> list[tuple[int, str]]:
        """Offer each (item, agent) whose item still waits; the pairs made, in one transaction."""
        ...

    async def release(
        self,
        *,
        item_id: int,
        agent: str,
        declined: bool,
        not_before: datetime | None = None,
        outcome: str | None = None,
        attempts: int | None = None,
    ) -> bool:
        """Back to `new` from `agent` (added to its decliners if `declined`), owner cleared."""
        ...

    async def move(
        self,
        *,
        item_id: int,
        agent: str,
        from_statuses: tuple[str, ...],
        status: str,
        outcome: str | None = None,
        disposition: str | None = None,
        attempts: int | None = None,
    ) -> bool:
        """Change the status of an item `agent` holds, if it is in one of `from_statuses`
        (accepted makes `agent` its owner); final statuses go through WorkItemService."""
        ...

    async def do_not_call(self, *, customer_id: int | None, e164: str | None) -> bool:
        """Whether the customer, or any customer owning this number, asked not to be called."""
        ...

    async def dial_number(self, customer_id: int) -> str | None:
        """The customer's number to call back (primary first), E.164."""
        ...

    async def answered_since(
        self, *, customer_id: int | None, e164: str | None, since: datetime
    ) -> str | None:
        """An inbound call of the customer (or from this number) started after `since` that an
        agent answered: its "<pbx>:<linkedid>", else None."""
        ...
