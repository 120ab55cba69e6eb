"""Time each agent spent paused today, folded from its state changes."""

from __future__ import annotations


class PauseClock:
    """Agent code -> seconds paused today (a pause still going on counts up to `now`)."""

    def __init__(self) -> None:
        self._total: dict[str, float] = {}
        self._since: dict[str, float] = {}

    def state(self, code: str, state: str, at: float) -> None:
        """The agent's state changed at `at`; a pause that ended is added to the day."""
        start = self._since.pop(code, None)
        if start is not None:
            self._total[code] = self._total.get(code, 0.0) + max(0.0, at - start)
        if state == "paused":
            self._since[code] = at

    def paused_s(self, code: str, now: float) -> float:
        """Seconds paused today by `now`."""
        start = self._since.get(code)
        running = max(0.0, now - start) if start is not None else 0.0
        return round(self._total.get(code, 0.0) + running, 1)

    def paused_now(self, code: str) -> bool:
        """Whether the agent is paused now."""
        return code in self._since

    def new_day(self, at: float) -> None:
        """A new business day: totals start again; a pause going on counts from `at`."""
        self._total.clear()
        self._since = dict.fromkeys(self._since, at)
