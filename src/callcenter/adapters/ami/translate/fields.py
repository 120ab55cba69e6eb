"""Reading AMI header values: Asterisk's spellings of unknown, numbers, flags and durations."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from callcenter.domain.calls import events as ev

Msg = Mapping[str, str]
Handler = Callable[[Msg, str, float], "list[ev.DomainEvent]"]

_UNKNOWN = frozenset({"", "<unknown>", "unknown"})
# Presentation bits 0x60: 0x20 prohibited, 0x40 not available (ITU Q.931 screening octet).
_PRES_HIDDEN = 0x60


def opt(value: str | None) -> str | None:
    """A caller ID field, None when Asterisk has nothing (`<unknown>`, `unknown`, empty)."""
    if value is None or value in _UNKNOWN:
        return None
    return value


def num(value: str | None, default: float = 0.0) -> float:
    """A number header; `default` for junk or a header repeated into a list."""
    try:
        return float(value) if value else default
    except (ValueError, TypeError):
        return default


def integer(value: str | None, default: int = 0) -> int:
    """An integer header; `default` for junk or a header repeated into a list."""
    try:
        return int(value) if value else default
    except (ValueError, TypeError):
        return default


def flag(value: str | None) -> bool:
    """A yes/no header (1, true, yes)."""
    return value is not None and value.strip().lower() in ("1", "true", "yes")


def withheld(pres: str | None) -> bool:
    """Whether a CID-CallingPres value (e.g. `67 (Number Unavailable)`) hides the number."""
    if not pres:
        return False
    head = pres.split(" ", 1)[0]
    return head.isdigit() and bool(int(head) & _PRES_HIDDEN)


def call_linkedid(m: Msg) -> str:
    """The call's Linkedid; Agent* events lose the caller fields when the caller went first."""
    linkedid = m.get("Linkedid") or m.get("DestLinkedid")
    if not linkedid:
        raise KeyError("Linkedid")
    return linkedid


def duration(text: str | None) -> float:
    """`HH:MM:SS` as seconds; 0 when unreadable."""
    parts = (text or "").split(":")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return 0.0
    return float(int(parts[0]) * 3600 + int(parts[1]) * 60 + int(parts[2]))


def base_name(path: str) -> str:
    """The file name of a path as Asterisk reports it (`/var/spool/.../x.wav` -> `x.wav`)."""
    return path.replace("\\", "/").rsplit("/", 1)[-1]
