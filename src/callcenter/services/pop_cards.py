"""The parts a screen-pop is made of: the call's card and what is known of its customer."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from callcenter.ports.push import PoppedCall


@dataclass
class PreparedCall:
    """What is known about one call's customer, filled in by a background fetch."""

    caller: str | None
    caller_name: str | None
    lookup: dict[str, Any] | None = None
    bundle: dict[str, Any] | None = None
    customer_id: int | None = None
    done: bool = False
    error: str | None = None
    task: asyncio.Task[None] | None = None
    popped: dict[str, PoppedCall] = field(default_factory=dict)  # agent code -> call part
    campaign: Mapping[str, Any] | None = None  # a campaign call's record, script and offer


def call_card(
    pbx: str,
    linkedid: str,
    caller: str | None,
    caller_name: str | None,
    queue: str | None,
    *,
    at: float,
    waited_s: float = 0.0,
    reason: str | None = None,
    priority: str | None = None,
    direction: str = "inbound",
) -> PoppedCall:
    """The call part of a pop; `at` is when the agent's phone started ringing (epoch s)."""
    return PoppedCall(
        linkedid=linkedid,
        pbx=pbx,
        caller=caller,
        caller_name=caller_name,
        queue=queue,
        waited_s=round(waited_s, 1),
        ringing_since=datetime.fromtimestamp(at, UTC).isoformat(),
        routing_reason=reason or None,
        priority=priority or None,
        direction=direction,
    )
