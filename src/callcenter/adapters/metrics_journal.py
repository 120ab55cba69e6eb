"""The live-call journal's figures for /metrics (added as a collector by bootstrap)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from prometheus_client.metrics_core import CounterMetricFamily, Metric

from callcenter.services.call_journal import JournalStats


def journal_collector(stats: JournalStats) -> Callable[[], Iterable[Metric]]:
    """A collector reading `stats` at scrape time."""

    def collect() -> Iterable[Metric]:
        figures = (
            ("call_journal_saved_total", "counter",
             "Live-call snapshots written to the journal.", stats.saved),
            ("call_journal_restored_total", "counter",
             "Live calls taken back from the journal when this process became the listener.",
             stats.restored),
            ("call_journal_unrecoverable_total", "counter",
             "Journalled calls that could not be restored or whose journal could not be read "
             "(each logged; their records are not stored).",
             stats.unreadable + stats.restore_failures),
            ("call_journal_write_failures_total", "counter",
             "Journal writes that failed (retried at the next interval).", stats.write_failures),
        )  # fmt: skip
        for name, _type, help_, value in figures:
            yield CounterMetricFamily(f"callcenter_{name}", help_, value=value)

    return collect
