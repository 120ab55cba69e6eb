"""Each group's recent history for the wallboard's sparklines: calls waiting and service level,
one point per step over a window (by default the last 24 hours by 15 minutes: the day so far)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass
class _Point:
    waiting: int = 0  # the most callers waiting at once in the step
    last: int = 0  # how many were waiting when last seen (a new step starts from it)
    sl_percent: float | None = None  # the service level at the step's last change


@dataclass
class TrendBook:
    """Group slug -> step index -> point; a step without changes repeats the step before it."""

    window_s: int = 24 * 3600
    step_s: int = 15 * 60
    _points: dict[str, dict[int, _Point]] = field(default_factory=dict)
    _last_step: int | None = None

    @property
    def steps(self) -> int:
        """Points per series."""
        return max(1, self.window_s // self.step_s)

    def new_step(self, now: float) -> bool:
        """Whether a step began since the last observation (the board should redraw)."""
        return self._last_step is not None and int(now // self.step_s) != self._last_step

    def observe(self, now: float, groups: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
        """Fold the groups' figures now; the series of every group (oldest point first)."""
        step = int(now // self.step_s)
        self._last_step = step
        first = step - self.steps + 1
        out: dict[str, Any] = {"step_s": self.step_s, "groups": {}}
        for group in groups:
            points = self._points.setdefault(str(group["slug"]), {})
            carried = points.get(max((s for s in points if s < step), default=step))
            waiting_now = int(group["waiting"])
            start = carried.last if carried else 0
            point = points.setdefault(step, _Point(start, start))
            point.waiting = max(point.waiting, waiting_now)
            point.last = waiting_now
            point.sl_percent = group.get("sl_percent")
            for old in [s for s in points if s < first - 1]:
                del points[old]
            out["groups"][group["slug"]] = self._series(points, first, step)
        return out

    @staticmethod
    def _series(points: dict[int, _Point], first: int, last: int) -> dict[str, list[Any]]:
        waiting: list[int | None] = []
        sl: list[float | None] = []
        known: _Point | None = points.get(first - 1)
        for step in range(first, last + 1):
            point = points.get(step)
            if point is not None:
                known = point
            waiting.append(known.waiting if known else None)
            sl.append(known.sl_percent if known else None)
        return {"waiting": waiting, "sl": sl}
