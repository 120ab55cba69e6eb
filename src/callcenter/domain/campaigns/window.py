"""The customer's local time, from their number (phonenumbers' time-zone data)."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers import timezone as number_zones

from callcenter.domain.campaigns.campaign import CallingWindow

_UNKNOWN_ZONE = "Etc/Unknown"


@lru_cache(maxsize=65536)
def zones_of(e164: str, default_zone: str) -> tuple[str, ...]:
    """Every time zone the number may ring in; the center's zone when the data has none."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return (default_zone,)
    found = tuple(z for z in number_zones.time_zones_for_number(parsed) if z != _UNKNOWN_ZONE)
    return tuple(sorted(found)) or (default_zone,)


@lru_cache(maxsize=1024)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_times(e164: str, now: datetime, default_zone: str) -> list[datetime]:
    """`now` (aware) in each of the number's zones; unknown zone names fall back to the default."""
    out = []
    for name in zones_of(e164, default_zone):
        try:
            zone = _zone(name)
        except (ZoneInfoNotFoundError, ValueError):
            zone = _zone(default_zone)
        out.append(now.astimezone(zone))
    return out


def may_call(window: CallingWindow, e164: str, now: datetime, default_zone: str) -> bool:
    """Whether it is inside the window for the customer wherever the number may ring (all zones)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return all(window.contains(t.weekday(), t.time()) for t in local_times(e164, now, default_zone))
