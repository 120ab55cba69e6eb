"""What the router reads under its deadline, and where it hands out-of-hours callers."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from callcenter.domain.routing.inputs import CustomerSnapshot, LiveAgents


class SnapshotSource(Protocol):
    """Where the router gets a known caller's snapshot (the database, in production)."""

    async def snapshot_for(self, e164: str) -> CustomerSnapshot | None: ...


class AgentPresence(Protocol):
    """Live agent state per group (fed by the AMI listener, in production)."""

    async def live_agents(self) -> LiveAgents: ...


class CallbackSink(Protocol):
    """Turns an out-of-hours call into a work item for the callback group."""

    async def request_callback(
        self, *, group: str, caller: str | None, did: str | None, reason: str, at: datetime
    ) -> None: ...
