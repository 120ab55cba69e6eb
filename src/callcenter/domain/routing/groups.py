"""A functional group (an Asterisk queue) as stored: names, entry point, service-level target."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Group:
    """A functional group, which is also an Asterisk queue."""

    slug: str
    name: str
    name_zh: str
    queue: str
    entry_point: str
    sl_target_seconds: int
    sl_target_percent: int
    overflow_group: str | None
    overflow_after_s: int | None
