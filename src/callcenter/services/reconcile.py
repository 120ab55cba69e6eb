"""Reconcile Asterisk's queue_log with our stored calls: read, fold, load our side, compare."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from callcenter.domain.reconcile.findings import Reconciliation
from callcenter.domain.reconcile.matching import reconcile
from callcenter.domain.reconcile.queue_log import QueueLogFold
from callcenter.ports.uow import UowFactory

# Our record starts when the call reached us, before IVR and preferred-agent rings; the queue_log
# starts at ENTERQUEUE. Records this much older than the window are read so they still match.
LEAD = timedelta(hours=1)


@dataclass(frozen=True)
class ReconcileReport:
    """The findings, the summary and what the reading of the file came to."""

    result: Reconciliation
    fold: QueueLogFold
    since: datetime | None
    until: datetime | None

    def summary(self) -> dict[str, Any]:
        """The summary line's object (contract counts first, then the file's reading)."""
        return {
            **self.result.summary(),
            "lines": self.fold.lines,
            "malformed_lines": self.fold.malformed,
        }

    def lines_json(self) -> list[dict[str, Any]]:
        """Every printed object, the summary last."""
        rows = [f.to_json() for f in self.result.findings]
        rows.append({"summary": self.summary()})
        return rows

    def reading_notes(self) -> list[str]:
        """What the reading of the file skipped, in words (malformed lines, unknown events)."""
        notes = [f"line {m.line_no}: {m.reason}: {m.text!r}" for m in self.fold.malformed_kept]
        if self.fold.malformed > len(self.fold.malformed_kept):
            notes.append(f"... {self.fold.malformed - len(self.fold.malformed_kept)} more")
        unknown = self.fold.unknown_events.items()
        notes += [f"event {k} ({n}x) not known; ignored" for k, n in unknown]
        return notes


def fold_lines(lines: Iterable[str]) -> QueueLogFold:
    """Parse and fold queue_log lines."""
    return QueueLogFold().feed_all(lines)


async def reconcile_queue_log(
    *,
    uow: UowFactory,
    lines: Iterable[str],
    since: datetime | None = None,
    until: datetime | None = None,
    tolerance_s: float = 1.0,
    pbx: str | None = None,
) -> ReconcileReport:
    """Compare the calls of [since, until) (default: the span the file covers) on both sides."""
    return await reconcile_fold(
        uow=uow, fold=fold_lines(lines), since=since, until=until, tolerance_s=tolerance_s, pbx=pbx
    )


async def reconcile_text(
    *,
    uow: UowFactory,
    text: str,
    since: datetime | None = None,
    until: datetime | None = None,
    tolerance_s: float = 1.0,
    pbx: str | None = None,
) -> ReconcileReport:
    """As reconcile_queue_log, for an uploaded text; the parsing runs off the event loop."""
    fold = await asyncio.to_thread(fold_lines, text.splitlines())
    return await reconcile_fold(
        uow=uow, fold=fold, since=since, until=until, tolerance_s=tolerance_s, pbx=pbx
    )


async def reconcile_fold(
    *,
    uow: UowFactory,
    fold: QueueLogFold,
    since: datetime | None,
    until: datetime | None,
    tolerance_s: float,
    pbx: str | None,
) -> ReconcileReport:
    """Load our calls of the window and compare them with an already folded queue_log."""
    if fold.first_at is None or fold.last_at is None:
        return ReconcileReport(Reconciliation(), fold, since, until)
    start = since or datetime.fromtimestamp(fold.first_at, UTC)
    end = until or datetime.fromtimestamp(fold.last_at + 1, UTC)
    async with uow() as work:
        records = await work.calls.between(start - LEAD, end, pbx=pbx)
    result = reconcile(
        fold.calls(),
        records,
        since=start.timestamp(),
        until=end.timestamp(),
        tolerance_s=tolerance_s,
    )
    return ReconcileReport(result, fold, start, end)
