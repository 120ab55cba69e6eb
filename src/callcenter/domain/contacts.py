"""Contacts: every interaction with a customer (call, email, letter, ...) and how it ended."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

ContactChannel = Literal["call", "email", "letter", "sms", "web", "callback"]
Direction = Literal["inbound", "outbound"]
CallOutcome = Literal[
    "answered",
    "abandoned",
    "timeout",
    "callback_requested",
    "busy",
    "no_answer",
    "congestion",
    "failed",
    "machine",
]

CONTACT_CHANNELS: tuple[str, ...] = ("call", "email", "letter", "sms", "web", "callback")
DIRECTIONS: tuple[str, ...] = ("inbound", "outbound")
CALL_OUTCOMES: tuple[str, ...] = get_args(CallOutcome)


@dataclass(frozen=True)
class Contact:
    """One interaction with a customer; `agent_code` is joined in from agents."""

    id: int
    customer_id: int | None
    channel: str
    direction: str
    group_slug: str | None
    agent_id: int | None
    agent_code: str | None
    outcome: str | None
    disposition_code: str | None
    settled_first_contact: bool
    note: str | None
    call_linkedid: str | None
    pbx: str | None
    started_at: datetime
    ended_at: datetime | None
