"""The work reports' arithmetic: what counts in a range, open at its end, handling percentiles."""

from __future__ import annotations

import random
import statistics
from datetime import UTC, datetime, timedelta

import pytest

from callcenter.domain.work_items import IllegalTransition
from callcenter.domain.work_report import (
    ALL,
    GROUP_FIGURES,
    WorkRecord,
    percentile,
    report_rows,
    tally,
)
from callcenter.domain.work_transfer import check_transfer, may_transfer

START = datetime(2026, 11, 23, tzinfo=UTC)
END = START + timedelta(days=1)


def at(hours: float) -> datetime:
    return START + timedelta(hours=hours)


def item(**kw: object) -> WorkRecord:
    base: dict[str, object] = {
        "group": "letters",
        "kind": "letter",
        "status": "new",
        "agent": None,
        "created_at": at(1),
        "due_at": None,
        "closed_at": None,
        "accepted_at": None,
    }
    base.update(kw)
    return WorkRecord(**base)  # type: ignore[arg-type]


def test_percentiles_agree_with_the_statistics_module() -> None:
    rng = random.Random(11)
    for n in (1, 2, 3, 10, 57):
        values = [rng.uniform(0, 5000) for _ in range(n)]
        assert percentile(values, 50) == statistics.median(values)
        if n >= 2:
            deciles = statistics.quantiles(values, n=10, method="inclusive")
            assert abs((percentile(values, 90) or 0) - deciles[8]) < 1e-9
    assert percentile([], 90) is None


def test_what_counts_in_the_range_and_what_is_open_at_its_end() -> None:
    records = [
        # done in the range, in time, handled 30 min
        item(status="done", created_at=at(1), due_at=at(8), accepted_at=at(2),
             closed_at=at(2.5), agent="1007"),
        # came in before, done late in the range, handled 2 h
        item(status="done", created_at=at(-5), due_at=at(1), accepted_at=at(2),
             closed_at=at(4), agent="1008"),
        # came in, still waiting and overdue at the end
        item(status="new", created_at=at(3), due_at=at(20)),
        # came in, closed after the range: open at its end, not yet due
        item(status="done", created_at=at(22), due_at=at(40), accepted_at=at(23),
             closed_at=at(30), agent="1007", kind="email"),
        # cancelled in the range: neither done nor open
        item(status="cancelled", created_at=at(5), closed_at=at(6), kind="callback"),
    ]  # fmt: skip
    counts = tally(records, lambda r: r.group, start=START, end=END, now=END + timedelta(days=3))
    figures = counts[("letters", ALL)].figures()
    assert figures["received"] == 4  # all but the one from the day before
    assert (figures["done"], figures["done_in_sla"], figures["sla_percent"]) == (2, 1, 50.0)
    assert (figures["open"], figures["overdue"]) == (2, 1)
    assert figures["median_handling_s"] == statistics.median([1800, 7200])
    assert counts[("letters", "email")].figures()["done"] == 0  # done after the range
    rows = report_rows(counts, ["letters", "finance"], column="group",
                       figures=GROUP_FIGURES, every_key=True)  # fmt: skip
    assert [(r["group"], r["kind"]) for r in rows] == [
        ("letters", ALL),
        ("letters", "letter"),
        ("letters", "email"),
        ("letters", "callback"),
        ("finance", ALL),  # a group without work still has its row of zeros
    ]
    assert rows[-1]["received"] == 0 and rows[-1]["sla_percent"] is None


def test_a_range_still_running_is_measured_now() -> None:
    waiting = item(created_at=at(1), due_at=at(5))
    now = at(4)
    early = tally([waiting], lambda r: r.group, start=START, end=END, now=now)
    assert early[("letters", ALL)].figures()["overdue"] == 0  # due at 5, it is 4
    later = tally([waiting], lambda r: r.group, start=START, end=END, now=at(6))
    assert later[("letters", ALL)].figures()["overdue"] == 1


def test_who_may_transfer_and_from_which_status() -> None:
    assert may_transfer(manager=True, agent_code=None, holder=None)
    assert may_transfer(manager=False, agent_code="1007", holder="1007")
    assert not may_transfer(manager=False, agent_code="1007", holder="1008")
    assert not may_transfer(manager=False, agent_code="1007", holder=None)
    for status in ("new", "triage", "offered", "accepted", "in_progress"):
        check_transfer(kind="letter", status=status)
    for kind, status, why in (
        ("letter", "done", "a done item"),
        ("letter", "cancelled", "a cancelled item"),
        ("callback", "in_progress", "being dialled"),
    ):
        with pytest.raises(IllegalTransition, match=why):
            check_transfer(kind=kind, status=status)
