"""Prometheus text exposition (format 0.0.4) of the runtime's counters, gauges and histograms.

Written by hand rather than with prometheus-client: every figure already lives on a component
(listener, store, hub, router), so rendering reads them at scrape time and nothing is duplicated.
"""

from __future__ import annotations

import bisect
import logging
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from callcenter.domain.calls.facts import RingStarted

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# A pop is meant to reach the desktop well within a second of the ring.
POP_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
# The dialplan hook's deadline is 150 ms by default; finer buckets below it.
ROUTE_BUCKETS_S = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0)

Labels = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Sample:
    """One line of a metric family: an optional name suffix, labels and a value."""

    labels: Labels
    value: float
    suffix: str = ""


@dataclass(frozen=True)
class Family:
    """A metric family: name, type (counter, gauge, histogram), help text and its samples."""

    name: str
    type: str
    help: str
    samples: tuple[Sample, ...]


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

    def samples(self, labels: Labels = ()) -> tuple[Sample, ...]:
        """`_bucket` lines (cumulative, `le` ascending, then +Inf), `_sum` and `_count`."""
        out: list[Sample] = []
        running = 0
        for bound, n in zip((*self.bounds, math.inf), self._counts, strict=True):
            running += n
            out.append(Sample((*labels, ("le", _number(bound))), running, "_bucket"))
        out.append(Sample(labels, self.sum, "_sum"))
        out.append(Sample(labels, self.count, "_count"))
        return tuple(out)


Collector = Callable[[], Iterable[Family]]


@dataclass
class CallCenterMetrics:
    """The histograms no component keeps itself, plus extra collectors other modules add."""

    pop_latency: Histogram = field(default_factory=lambda: Histogram(POP_BUCKETS_S))
    route_latency: Histogram = field(default_factory=lambda: Histogram(ROUTE_BUCKETS_S))
    collectors: list[Collector] = field(default_factory=list)

    def observe_pop(self, fact: RingStarted, published_at: float) -> None:
        """The screen-pop service's hook: a pop for `fact` was published at `published_at`."""
        self.pop_latency.observe(published_at - fact.at)

    def observe_route(self, seconds: float) -> None:
        """The routing service's hook: one dialplan hook request took `seconds` to answer."""
        self.route_latency.observe(seconds)

    def add_collector(self, collector: Collector) -> None:
        """Render `collector()`'s families on every scrape (e.g. the Redis bus's figures)."""
        self.collectors.append(collector)

    def render(self, figures: Iterable[Family]) -> str:
        """The whole exposition text for one scrape: `figures` (the components') and collectors'."""
        families = list(figures)
        for collector in self.collectors:
            try:
                families.extend(collector())
            except Exception:
                # A broken collector must not take the other figures down with it.
                log.exception("metrics collector %r failed", collector)
        return render_families(families)


def render_families(families: Iterable[Family]) -> str:
    """Families as exposition text: HELP and TYPE once per family, then its samples."""
    lines: list[str] = []
    for family in families:
        lines.append(f"# HELP {family.name} {_escape_help(family.help)}")
        lines.append(f"# TYPE {family.name} {family.type}")
        for sample in family.samples:
            lines.append(
                f"{family.name}{sample.suffix}{_labels(sample.labels)} {_number(sample.value)}"
            )
    return "\n".join(lines) + "\n"


def _labels(labels: Labels) -> str:
    if not labels:
        return ""
    body = ",".join(f'{key}="{_escape_label(value)}"' for key, value in labels)
    return "{" + body + "}"


def _escape_label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if math.isnan(value):
        return "NaN"
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))
