"""A campaign: its group, dialling mode, calling window, retry rules and closing dispositions."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import time
from typing import Literal

DialMode = Literal["preview", "progressive", "predictive"]
DIAL_MODES: tuple[str, ...] = ("preview", "progressive", "predictive")
CAMPAIGN_STATES: tuple[str, ...] = ("draft", "running", "paused", "stopped", "finished")
# Outcomes of an attempt that put the record back in the list after a delay.
RETRY_OUTCOMES: tuple[str, ...] = ("busy", "no_answer", "machine", "congestion", "dropped")
# Dispositions an agent records that close the record for this campaign.
CLOSING_DISPOSITIONS: tuple[str, ...] = (
    "sale",
    "refused",
    "wrong_number",
    "do_not_call",
)
CALLBACK_DISPOSITION = "callback"  # "call back at …": the record comes back at that time
DISPOSITIONS: tuple[str, ...] = (*CLOSING_DISPOSITIONS, CALLBACK_DISPOSITION)
AMD_ACTIONS: tuple[str, ...] = ("hangup", "message", "agent")
ABANDON_WINDOWS: tuple[tuple[str, float], ...] = (
    ("1h", 3600.0),
    ("24h", 86400.0),
    ("30d", 2592000.0),
)
DEFAULT_RETRY_S: Mapping[str, float] = {
    "busy": 900.0,
    "no_answer": 3600.0,
    "machine": 7200.0,
    "congestion": 600.0,
    "dropped": 1800.0,
}


@dataclass(frozen=True)
class CallingWindow:
    """Hours the customer may be called, in the customer's own local time; days 0=Mon … 6=Sun."""

    start: time = time(9, 0)
    end: time = time(21, 0)
    days: frozenset[int] = frozenset(range(7))

    def __post_init__(self) -> None:
        if self.start >= self.end:
            raise ValueError("calling window: start must be before end")
        if not self.days or not self.days <= frozenset(range(7)):
            raise ValueError("calling window: days are 0 (Monday) to 6 (Sunday), at least one")

    def contains(self, weekday: int, at: time) -> bool:
        """Whether a local weekday and time of day fall inside the window."""
        return weekday in self.days and self.start <= at < self.end


@dataclass(frozen=True)
class RetryPolicy:
    """How often a record is tried and how long each failed outcome waits before the next try."""

    max_attempts: int = 3
    delays_s: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_RETRY_S))

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        unknown = set(self.delays_s) - set(RETRY_OUTCOMES)
        if unknown:
            raise ValueError(f"retry delays for unknown outcomes: {sorted(unknown)}")
        if any(v < 0 for v in self.delays_s.values()):
            raise ValueError("retry delays must be >= 0")

    def delay_for(self, outcome: str) -> float:
        """Seconds to wait after `outcome` (an unlisted retry outcome waits an hour)."""
        return float(self.delays_s.get(outcome, 3600.0))


@dataclass(frozen=True)
class Campaign:
    """One telemarketing campaign as the dialer and the agents see it."""

    id: int
    name: str
    group: str = "telemarketing"
    mode: DialMode = "predictive"
    window: CallingWindow = field(default_factory=CallingWindow)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    abandon_cap_pct: float = 3.0
    dial_level_cap: float | None = None  # at most this many lines per agent (predictive)
    connect_within_s: float = 2.0  # a live answer not with an agent by then is abandoned
    amd_action: str = "hangup"  # on MACHINE: hang up, leave a message, or pass to an agent
    amd_false_positive_is_abandon: bool = False
    caller_id_number: str = ""
    caller_id_name: str = ""
    script: str = ""
    offer: str = ""
    state: str = "draft"

    def dial_variables(self, record_id: int, customer_id: int | None) -> dict[str, str]:
        """The channel variables of a customer-first Originate for one of its records."""
        return {
            "CC_CAMPAIGN_ID": str(self.id),
            "CC_RECORD_ID": str(record_id),
            "CC_CUSTOMER_ID": str(customer_id or ""),
            "CC_QUEUE": self.group,
            "CC_CONNECT_WAIT": f"{self.connect_within_s:g}",
            "CC_AMD_ACTION": self.amd_action,
        }

    def __post_init__(self) -> None:
        if self.mode not in DIAL_MODES:
            raise ValueError(f"mode must be one of {', '.join(DIAL_MODES)}")
        if not 0 < self.abandon_cap_pct <= 100:
            raise ValueError("abandon_cap_pct must be above 0 and at most 100")
        if self.dial_level_cap is not None and not 1.0 <= self.dial_level_cap <= 20.0:
            raise ValueError("dial_level_cap must be from 1 to 20 lines per agent")
        if self.amd_action not in AMD_ACTIONS:
            raise ValueError(f"amd_action must be one of {', '.join(AMD_ACTIONS)}")
        if self.state not in CAMPAIGN_STATES:
            raise ValueError(f"state must be one of {', '.join(CAMPAIGN_STATES)}")


def joinable(campaigns: Iterable[Campaign], groups: Collection[str]) -> list[Campaign]:
    """The running campaigns an agent with skills in `groups` may join (its group is theirs),
    by id."""
    return sorted(
        (c for c in campaigns if c.state == "running" and c.group in groups), key=lambda c: c.id
    )
