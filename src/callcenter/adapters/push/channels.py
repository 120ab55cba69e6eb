"""The push hub's state of one channel (seq, bounded backlog, subscribers) and its counters."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from callcenter.adapters.push.protocol import Template
from callcenter.adapters.push.subscription import Subscription


@dataclass
class HubStats:
    """Counters an operator may want on a status page."""

    published: int = 0
    subscribed: int = 0
    replayed: int = 0
    resyncs: int = 0
    cut_off: int = 0
    disconnected: int = 0
    delivered: int = 0  # sequenced elsewhere (the cluster bus), fanned out here
    duplicates: int = 0
    gaps: int = 0


@dataclass
class Channel:
    """One channel: its last seq, the backlog kept for resumes, who listens."""

    limit: int
    seq: int = 0
    backlog: deque[tuple[int, str, float]] = field(default_factory=deque)  # seq, text, when
    size: int = 0  # characters of text held in the backlog
    subscribers: dict[int, Subscription] = field(default_factory=dict)


Relay = Callable[[str, Template], None]


def clear(state: Channel) -> None:
    """Forget the backlog (its seqs no longer follow on)."""
    state.backlog.clear()
    state.size = 0
