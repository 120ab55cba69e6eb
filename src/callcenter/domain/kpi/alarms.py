"""Wallboard alarms: a group under its service-level target or with a caller waiting too long,
and an agent paused longer than the reason allows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class AlarmRules:
    """Thresholds: the longest wait a group may have (per group, else `wait_s`), and pause
    limits per reason (reasons without one never alarm). SL targets come from the groups."""

    wait_s: float = 60.0
    wait_s_by_group: Mapping[str, float] = field(default_factory=dict)
    pause_limits_s: Mapping[str, float] = field(default_factory=dict)
    min_offered: int = 1  # no SL alarm before the day's first calls


def floor_alarms(
    groups: Iterable[Mapping[str, Any]], agents: Iterable[Mapping[str, Any]], rules: AlarmRules
) -> list[dict[str, Any]]:
    """Every alarm now: `{"kind": "sl"|"wait"|"pause", "group"|"agent", "value", "limit"}`."""
    out: list[dict[str, Any]] = []
    for g in groups:
        sl, target = g.get("sl_percent"), g.get("sl_target_percent")
        counted = g.get("offered", 0) >= rules.min_offered
        if counted and sl is not None and target is not None and sl < target:
            out.append({"kind": "sl", "group": g["slug"], "value": sl, "limit": target})
        limit = rules.wait_s_by_group.get(str(g["slug"]), rules.wait_s)
        if g.get("waiting") and g.get("longest_wait_s", 0.0) > limit:
            out.append(
                {"kind": "wait", "group": g["slug"], "value": g["longest_wait_s"], "limit": limit}
            )
    for a in agents:
        pause_limit = rules.pause_limits_s.get(str(a.get("reason")))
        paused_s = a.get("time_in_state_s", 0.0)
        if a.get("state") == "paused" and pause_limit is not None and paused_s > pause_limit:
            alarm = {"kind": "pause", "agent": a["code"], "value": paused_s}
            out.append({**alarm, "limit": pause_limit})
    return out
