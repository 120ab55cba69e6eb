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
from typing import TYPE_CHECKING

from callcenter.adapters.push.protocol import WALLBOARD
from callcenter.domain.calls.facts import RingStarted

if TYPE_CHECKING:
    from callcenter.runtime import Runtime

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

    def render(self, runtime: Runtime) -> str:
        """The whole exposition text for one scrape."""
        families = list(runtime_families(runtime, self))
        for collector in self.collectors:
            try:
                families.extend(collector())
            except Exception:
                # A broken collector must not take the other figures down with it.
                log.exception("metrics collector %r failed", collector)
        return render_families(families)


def runtime_families(runtime: Runtime, metrics: CallCenterMetrics) -> Iterable[Family]:
    """Every figure read from the runtime's components at scrape time."""
    yield from _ami_families(runtime)
    pops, stats, store, hub = runtime.pops, runtime.routing.stats, runtime.store, runtime.hub
    wallboards = hub.subscriber_count(WALLBOARD)
    agi = runtime.agi
    singles: tuple[tuple[str, str, str, float], ...] = (
        ("screen_pops_total", "counter", "Screen-pops published.", pops.pops_sent),
        ("screen_pops_incomplete_total", "counter",
         "Screen-pops published without the full customer record (pending or failed fetch).",
         pops.incomplete_pops),
        ("route_decisions_total", "counter", "Routing decisions.", stats.routed),
        ("route_fallbacks_total", "counter",
         "Routing decisions that fell back to the DID default (database slow or failing).",
         stats.fallbacks),
        ("route_callbacks_total", "counter", "Calls turned into callbacks.", stats.callbacks),
        ("route_shed_total", "counter", "Hook answers given at once: overloaded.", stats.shed),
        ("push_published_total", "counter", "Push messages published.", hub.stats.published),
        ("push_replayed_total", "counter", "Messages replayed to clients resuming with since.",
         hub.stats.replayed),
        ("push_resyncs_total", "counter",
         "Resumes that could not be replayed (client told to refetch).", hub.stats.resyncs),
        ("push_cut_off_total", "counter", "Slow clients cut off (queue full).", hub.stats.cut_off),
        ("push_disconnected_total", "counter",
         "Subscriptions ended by the server (e.g. revoked).", hub.stats.disconnected),
        ("call_store_pending", "gauge",
         "Finished calls waiting in the bounded buffer to be written.", store.pending),
        ("call_store_stored_total", "counter", "Call records written.", store.stored),
        ("call_store_duplicates_total", "counter",
         "Call records already stored (not written twice).", store.duplicates),
        ("call_store_lost_total", "counter",
         "Call records dropped because the buffer was full (logged).", store.lost),
        ("call_store_failures_total", "counter", "Failed write attempts (each retried).",
         store.failures),
        ("agi_sessions", "gauge", "FastAGI sessions open now.", len(agi.sessions) if agi else 0),
    )  # fmt: skip
    for name, type_, help_, value in singles:
        yield Family(f"callcenter_{name}", type_, help_, (Sample((), value),))
    yield Family(
        "callcenter_screen_pop_latency_seconds",
        "histogram",
        "From the AMI event that rang the agent (receipt) to the pop's publication.",
        metrics.pop_latency.samples(),
    )
    yield Family(
        "callcenter_route_latency_seconds",
        "histogram",
        "Time to answer one dialplan hook request (FastAGI or HTTP).",
        metrics.route_latency.samples(),
    )
    yield Family(
        "callcenter_ws_clients",
        "gauge",
        "Websocket subscriptions open on this process, by stream.",
        (
            Sample((("stream", "agent"),), hub.subscriber_count() - wallboards),
            Sample((("stream", "wallboard"),), wallboards),
        ),
    )
    yield from _scaleout_families(runtime)


def _ami_families(runtime: Runtime) -> Iterable[Family]:
    listeners = sorted(runtime.listeners.items())
    pipelines = sorted(runtime.pipelines.items())
    rows: tuple[tuple[str, str, str, list[tuple[str, float]]], ...] = (
        ("ami_connected", "gauge", "1 while logged in to the PBX's AMI, else 0.",
         [(pbx, float(lst.connected)) for pbx, lst in listeners]),
        ("ami_connects_total", "counter",
         "AMI logins (more than one means reconnects, each followed by a resync).",
         [(pbx, lst.connects) for pbx, lst in listeners]),
        ("ami_events_total", "counter", "AMI events received.",
         [(pbx, lst.events_in) for pbx, lst in listeners]),
        ("ami_queue_depth", "gauge", "AMI events received and not yet processed.",
         [(pbx, lst.lag[0]) for pbx, lst in listeners]),
        ("ami_queue_peak", "gauge", "Most AMI events ever waiting at once.",
         [(pbx, lst.peak_depth) for pbx, lst in listeners]),
        ("ami_read_pauses_total", "counter",
         "Times the AMI queue filled and the listener stopped reading (TCP backpressure).",
         [(pbx, lst.read_pauses) for pbx, lst in listeners]),
        ("ami_event_lag_seconds", "gauge", "Age of the oldest AMI event waiting to be processed.",
         [(pbx, lst.lag[1]) for pbx, lst in listeners]),
        ("ami_tracking_failures_total", "counter",
         "AMI events the call state machine failed on (skipped, logged).",
         [(pbx, p.failed) for pbx, p in pipelines]),
        ("live_calls", "gauge", "Calls in progress as tracked from AMI.",
         [(pbx, len(p.tracker.live_calls(pbx))) for pbx, p in pipelines]),
    )  # fmt: skip
    for name, type_, help_, values in rows:
        samples = tuple(Sample((("pbx", pbx),), value) for pbx, value in values)
        yield Family(f"callcenter_{name}", type_, help_, samples)


def _scaleout_families(runtime: Runtime) -> Iterable[Family]:
    """Leader locks and the Redis bus, when the process runs scaled out."""
    leaders = sorted(runtime.leaders.items())
    if leaders:
        yield Family(
            "callcenter_ami_leader",
            "gauge",
            "1 while this process holds the PBX's listener lock (exactly one process should).",
            tuple(Sample((("pbx", n),), float(x.leading)) for n, x in leaders),
        )
    if runtime.bus is None:
        return
    stats = runtime.bus.stats
    for name, type_, help_ in (
        ("healthy", "gauge", "1 while the Redis bus is connected."),
        ("sent", "counter", "Messages sent over the bus."),
        ("received", "counter", "Messages received from the bus."),
        ("local_only", "counter", "Published while Redis was away: local sockets only."),
        ("dropped", "counter", "Messages dropped because the bus's send queue was full."),
        ("outages", "counter", "Times the bus lost Redis."),
    ):
        value = float(getattr(stats, name))
        full = f"callcenter_bus_{name}" + ("_total" if type_ == "counter" else "")
        yield Family(full, type_, help_, (Sample((), value),))


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
