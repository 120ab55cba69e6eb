"""A finished call as stored and reported, with the legs of the agents who talked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class CallLeg:
    """One agent who talked with the customer; `queue` is None for a direct dial."""

    agent: str
    queue: str | None
    talk_s: float


@dataclass(frozen=True)
class CallRecord:
    """A finished call as stored; (pbx, linkedid) identifies it across Asterisk servers."""

    pbx: str
    linkedid: str
    direction: str
    caller: str | None
    caller_name: str | None
    queues: tuple[str, ...]
    agent: str | None
    outcome: str
    wait_s: float
    talk_s: float
    ring_attempts: int
    transferred: bool
    started_at: datetime
    ended_at: datetime
    customer_id: int | None = None
    agent_id: int | None = None
    routing: dict[str, Any] | None = None
    answered_at: datetime | None = None
    wrapup_s: float | None = None
    disposition_code: str | None = None
    settled_first_contact: bool | None = None
    id: int | None = None
    legs: tuple[CallLeg, ...] = ()
    monitored: int = 0
    recordings: tuple[str, ...] = ()
    amd: str | None = None
    caller_verified: bool | None = None
    # Ended while no process watched the PBX (a crash, an AMI cut): ended_at is when it was
    # first seen missing, talk and wait are what was known by then (see `callcenter reconcile`).
    ended_during_outage: bool = False
