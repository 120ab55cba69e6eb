"""When a callback may be dialled and what happens after each attempt (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

REACHED = frozenset({"answered"})
RETRYABLE = frozenset({"busy", "no_answer", "congestion", "failed", "machine"})


@dataclass(frozen=True, slots=True)
class CallbackRule:
    """Attempts at most, wait between attempts, and the local hours calls may be placed in."""

    max_attempts: int = 3
    retry_after_s: float = 600.0
    window_start: time = time(9, 0)
    window_end: time = time(20, 0)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.retry_after_s < 0:
            raise ValueError("retry_after_s must not be negative")
        if self.window_start >= self.window_end:
            raise ValueError("the calling window must start before it ends (same day)")


def parse_window(text: str) -> tuple[time, time]:
    """'09:00-20:00' -> (09:00, 20:00)."""
    start, sep, end = text.partition("-")
    if not sep:
        raise ValueError(f"calling window {text!r} is not HH:MM-HH:MM")
    try:
        return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())
    except ValueError:
        raise ValueError(f"calling window {text!r} is not HH:MM-HH:MM") from None


def in_window(local: datetime, rule: CallbackRule) -> bool:
    """Whether `local` (the customer's local time) lies in the calling window."""
    return rule.window_start <= local.time().replace(tzinfo=None) < rule.window_end


def window_opens(local: datetime, rule: CallbackRule) -> datetime:
    """`local` itself inside the window, else the window's next start (today or tomorrow)."""
    if in_window(local, rule):
        return local
    start = local.replace(
        hour=rule.window_start.hour,
        minute=rule.window_start.minute,
        second=0,
        microsecond=0,
    )
    return start if local < start else start + timedelta(days=1)


@dataclass(frozen=True, slots=True)
class AttemptResult:
    """What becomes of the item: `done`-ready (reached), `retry` at `retry_at`, or `failed`."""

    status: str  # reached | retry | failed
    retry_at: datetime | None = None
    reason: str = ""


def after_attempt(
    outcome: str, attempts: int, local_now: datetime, rule: CallbackRule
) -> AttemptResult:
    """The next step after attempt number `attempts` (1-based) ended with `outcome`."""
    if outcome in REACHED:
        return AttemptResult("reached")
    if attempts >= rule.max_attempts:
        return AttemptResult("failed", reason=f"{outcome} after {attempts} attempts")
    later = local_now + timedelta(seconds=rule.retry_after_s)
    return AttemptResult("retry", retry_at=window_opens(later, rule), reason=outcome)
