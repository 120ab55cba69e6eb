"""What a reconciliation found: differences, findings per call, and the summary counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True)
class Difference:
    """One field on which the two sides disagree, and why."""

    field: str
    asterisk: Any
    ours: Any
    why: str
    weakness: str | None = None  # the known queue_log weakness that accounts for it

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "field": self.field,
            "asterisk": self.asterisk,
            "ours": self.ours,
            "why": self.why,
            "known_weakness": self.weakness,
        }


@dataclass(frozen=True)
class Finding:
    """One call that is missing on a side, differs, or differs only by a known weakness."""

    status: str  # missing_here / missing_there / differs / explained
    linkedid: str | None
    callids: tuple[str, ...]
    at: float
    queues: tuple[str, ...]
    outcome: str
    why: str
    differences: tuple[Difference, ...] = ()
    pbx: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The JSON object printed for this call."""
        out: dict[str, Any] = {
            "status": self.status,
            "linkedid": self.linkedid,
            "pbx": self.pbx,
            "callids": list(self.callids),
            "at": datetime.fromtimestamp(self.at, UTC).isoformat(),
            "queues": list(self.queues),
            "outcome": self.outcome,
            "why": self.why,
        }
        if self.differences:
            out["differences"] = [d.to_json() for d in self.differences]
        return out


@dataclass
class Reconciliation:
    """The findings and the counts of the summary line."""

    findings: list[Finding] = field(default_factory=list)
    asterisk_calls: int = 0
    our_calls: int = 0
    missing_here: int = 0
    missing_there: int = 0
    differing: int = 0
    explained: int = 0
    unfinished: int = 0
    not_queued: int = 0

    def summary(self) -> dict[str, int]:
        """The contract's counts first, then ours."""
        return {
            "asterisk_calls": self.asterisk_calls,
            "our_calls": self.our_calls,
            "missing_here": self.missing_here,
            "missing_there": self.missing_there,
            "differing": self.differing,
            "explained": self.explained,
            "unfinished": self.unfinished,
            "not_queued": self.not_queued,
        }
