"""The live-call journal's figures for /metrics (added as a collector by bootstrap)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from prometheus_client.metrics_core import CounterMetricFamily, Metric

from callcenter.services.call_journal import JournalStats
from callcenter.services.queue_log_recovery import RecoveryStats


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


def queue_log_collector(stats: RecoveryStats) -> Callable[[], Iterable[Metric]]:
    """Calls read back from the queue_log after logins (those no process saw)."""

    def collect() -> Iterable[Metric]:
        yield CounterMetricFamily(
            "callcenter_calls_recovered_from_queue_log_total",
            "Calls that began and ended while no process was logged in to the AMI, stored from "
            "the queue_log as ended_during_outage.",
            value=stats.recovered,
        )
        yield CounterMetricFamily(
            "callcenter_calls_corrected_from_queue_log_total",
            "Calls stored as ended during an outage whose outcome, agent and times were set "
            "right from the queue_log after the next login.",
            value=stats.corrected,
        )
        yield CounterMetricFamily(
            "callcenter_queue_log_recovery_failures_total",
            "Read-backs of the queue_log that failed (each logged).",
            value=stats.failures,
        )

    return collect
