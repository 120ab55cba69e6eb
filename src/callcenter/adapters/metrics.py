"""`/metrics` on prometheus-client: custom collectors read every figure at scrape time.

Every figure already lives on a component (listener, store, hub, router, webhooks), so
`api/metrics_figures.py` reads them when scraped and nothing is counted twice. Only what no
component keeps itself lives here: the pop, route and webhook latency histograms and the last
reconciliation's summary.
"""

from __future__ import annotations

import bisect
import logging
import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, generate_latest
from prometheus_client.metrics_core import HistogramMetricFamily, Metric
from prometheus_client.registry import Collector as _RegistryCollector
from prometheus_client.registry import CollectorRegistry

from callcenter.domain.calls.facts import RingStarted

log = logging.getLogger(__name__)

CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4  # what generate_latest writes
# A pop is meant to reach the desktop well within a second of the ring.
POP_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
# The dialplan hook's deadline is 150 ms by default; finer buckets below it.
ROUTE_BUCKETS_S = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0)
# From the event to the subscriber's 2xx: retries make the tail long.
WEBHOOK_BUCKETS_S = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0)


class Histogram:
    """Cumulative buckets, a sum and a count; observations are seconds."""

    def __init__(self, buckets: Sequence[float]) -> None:
        if list(buckets) != sorted(set(buckets)) or not buckets:
            raise ValueError("histogram buckets must be increasing and unique")
        self.bounds = tuple(float(b) for b in buckets)
        self._counts = [0] * (len(self.bounds) + 1)
        self.sum = 0.0
        self.count = 0

    def observe(self, value: float) -> None:
        """Count one observation (negative values, from clock skew, count as zero)."""
        value = max(0.0, float(value))
        self._counts[bisect.bisect_left(self.bounds, value)] += 1
        self.sum += value
        self.count += 1

    def family(self, name: str, help_: str) -> HistogramMetricFamily:
        """The histogram as a prometheus-client family (`le` labels as `0.01`, `1`, `+Inf`)."""
        buckets: list[tuple[str, float]] = []
        running = 0
        for bound, n in zip((*self.bounds, math.inf), self._counts, strict=True):
            running += n
            buckets.append((le_label(bound), running))
        return HistogramMetricFamily(name, help_, buckets=buckets, sum_value=self.sum)


FamilySource = Callable[[], Iterable[Metric]]


@dataclass
class CallCenterMetrics:
    """The histograms no component keeps itself, plus extra collectors other modules add."""

    pop_latency: Histogram = field(default_factory=lambda: Histogram(POP_BUCKETS_S))
    route_latency: Histogram = field(default_factory=lambda: Histogram(ROUTE_BUCKETS_S))
    webhook_latency: Histogram = field(default_factory=lambda: Histogram(WEBHOOK_BUCKETS_S))
    reconcile_runs: int = 0
    reconcile_last: dict[str, float] = field(default_factory=dict)
    collectors: list[FamilySource] = field(default_factory=list)

    def observe_pop(self, fact: RingStarted, published_at: float) -> None:
        """The screen-pop service's hook: a pop for `fact` was published at `published_at`."""
        self.pop_latency.observe(published_at - fact.at)

    def observe_route(self, seconds: float) -> None:
        """The routing service's hook: one dialplan hook request took `seconds` to answer."""
        self.route_latency.observe(seconds)

    def observe_webhook(self, seconds: float) -> None:
        """The webhook service's hook: an event reached a subscriber `seconds` after it happened."""
        self.webhook_latency.observe(seconds)

    def observe_reconcile(self, summary: Mapping[str, object]) -> None:
        """One `/api/reconcile` run finished with this summary."""
        self.reconcile_runs += 1
        figures = {k: float(v) for k, v in summary.items() if isinstance(v, int | float)}
        self.reconcile_last = {**figures, "timestamp": time.time()}

    def add_collector(self, collector: FamilySource) -> None:
        """Expose `collector()`'s families on every scrape (e.g. the Redis bus's figures)."""
        self.collectors.append(collector)

    def render(self, figures: Iterable[Metric]) -> str:
        """The whole exposition text for one scrape: `figures` (the components') and collectors'."""

        def families() -> Iterable[Metric]:
            yield from figures
            for collector in self.collectors:
                try:
                    yield from list(collector())
                except Exception:
                    # A broken collector must not take the other figures down with it.
                    log.exception("metrics collector %r failed", collector)

        return render_families(families)


class _Scrape(_RegistryCollector):
    def __init__(self, source: Callable[[], Iterable[Metric]]) -> None:
        self._source = source

    def collect(self) -> Iterable[Metric]:
        return self._source()


def render_families(source: Callable[[], Iterable[Metric]] | Iterable[Metric]) -> str:
    """Families as Prometheus text 0.0.4, through prometheus-client's exposition."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Scrape(source if callable(source) else lambda: list(source)))
    return generate_latest(registry).decode("utf-8")


def le_label(bound: float) -> str:
    """A bucket bound as the `le` label: `0.005`, `1`, `+Inf`."""
    if math.isinf(bound):
        return "+Inf"
    return str(int(bound)) if float(bound).is_integer() else repr(float(bound))
