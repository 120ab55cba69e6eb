"""A live call as a JSON-ready snapshot and back: what a restarted process needs to finish it."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from callcenter.domain.calls.livecall import Leg, LiveCall

SNAPSHOT_VERSION = 1
# Fields whose values JSON holds as they are (str, int, float, bool, None, list of str, dict).
_PLAIN = frozenset(
    f.name
    for f in fields(LiveCall)
    if f.name
    not in {"channels", "consult_channels", "ringing", "direct", "pending_abandon", "legs"}
    and f.name != "consult_leg"
)


class SnapshotError(ValueError):
    """A journalled snapshot this version cannot read."""


def snapshot(call: LiveCall) -> dict[str, Any]:
    """Everything known about a live call, as plain JSON values."""
    data: dict[str, Any] = {name: _copy(getattr(call, name)) for name in sorted(_PLAIN)}
    data["v"] = SNAPSHOT_VERSION
    data["channels"] = sorted(call.channels)
    data["consult_channels"] = sorted(call.consult_channels)
    data["ringing"] = {k: list(v) for k, v in sorted(call.ringing.items())}
    data["direct"] = {k: list(v) for k, v in sorted(call.direct.items())}
    data["pending_abandon"] = list(call.pending_abandon) if call.pending_abandon else None
    data["legs"] = [_leg(leg) for leg in call.legs]
    data["consult_leg"] = _leg(call.consult_leg) if call.consult_leg is not None else None
    return data


def restore(data: dict[str, Any]) -> LiveCall:
    """The live call a snapshot describes; SnapshotError when it is not one."""
    if not isinstance(data, dict) or data.get("v") != SNAPSHOT_VERSION:
        raise SnapshotError(f"not a version {SNAPSHOT_VERSION} live-call snapshot")
    try:
        plain = {name: _copy(data[name]) for name in _PLAIN if name in data}
        call = LiveCall(**plain)
        call.channels = set(data.get("channels", ()))
        call.consult_channels = set(data.get("consult_channels", ()))
        call.ringing = {k: (str(v[0]), v[1]) for k, v in data.get("ringing", {}).items()}
        call.direct = {
            k: (str(v[0]), str(v[1]), float(v[2])) for k, v in data.get("direct", {}).items()
        }
        pending = data.get("pending_abandon")
        call.pending_abandon = (str(pending[0]), float(pending[1])) if pending else None
        call.legs = [Leg(**leg) for leg in data.get("legs", ())]
        consult = data.get("consult_leg")
        call.consult_leg = Leg(**consult) if consult else None
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise SnapshotError(f"unreadable live-call snapshot: {exc!r}") from None
    if not call.pbx or not call.linkedid:
        raise SnapshotError("a live-call snapshot without pbx or linkedid")
    return call


def _leg(leg: Leg) -> dict[str, Any]:
    return {f.name: getattr(leg, f.name) for f in fields(Leg)}


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value
