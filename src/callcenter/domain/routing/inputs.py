"""What the router is given: the call, the customer snapshot and live agent state."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from callcenter.domain.customers.records import Segment


@dataclass(frozen=True)
class CallInfo:
    """What the dialplan tells us about a new call; `caller` is E.164 or None when unknown."""

    caller: str | None
    did: str | None
    menu: str | None
    at: datetime  # aware


@dataclass(frozen=True)
class OpenComplaint:
    """An unresolved complaint and who owns it."""

    id: int
    owner_group: str | None
    owner_agent_code: str | None
    opened_at: datetime


@dataclass(frozen=True)
class ServedBy:
    """An agent who served this customer, and when."""

    agent_code: str
    at: datetime


@dataclass(frozen=True)
class CustomerSnapshot:
    """The little the router needs to know about a known caller."""

    customer_id: int
    segment: Segment
    name: str = ""
    roles: frozenset[str] = frozenset()
    credit_hold: bool = False
    open_complaints: tuple[OpenComplaint, ...] = ()
    last_agents: tuple[ServedBy, ...] = ()  # most recent first


@dataclass(frozen=True)
class GroupStaff:
    """Live state of one group: who is logged in, paused, busy (ringing, on a call, wrap-up)."""

    logged_in: frozenset[str] = frozenset()
    paused: frozenset[str] = frozenset()
    busy: frozenset[str] = frozenset()

    def present(self, code: str) -> bool:
        """Logged in and not paused."""
        return code in self.logged_in and code not in self.paused

    def free(self, code: str) -> bool:
        """Present and not busy: the phone would ring now."""
        return self.present(code) and code not in self.busy

    @property
    def staffed(self) -> bool:
        """At least one agent logged in and not paused."""
        return any(self.present(code) for code in self.logged_in)


LiveAgents = Mapping[str, GroupStaff]
