"""The figures `GET /metrics` reads from the running components at scrape time."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric

from callcenter.adapters.metrics import CallCenterMetrics
from callcenter.adapters.push.protocol import WALLBOARD
from callcenter.runtime import Runtime


def family(
    name: str, type_: str, help_: str, samples: Sequence[tuple[Sequence[str], float]] = (),
    labels: Sequence[str] = (),
) -> Metric:  # fmt: skip
    """A counter or gauge family with these (label values, value) samples."""
    made: CounterMetricFamily | GaugeMetricFamily
    if type_ == "counter":
        made = CounterMetricFamily(name, help_, labels=labels)
    else:
        made = GaugeMetricFamily(name, help_, labels=labels)
    for values, value in samples:
        made.add_metric(list(values), float(value))
    return made


def runtime_families(runtime: Runtime, metrics: CallCenterMetrics) -> Iterable[Metric]:
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
        ("route_callbacks_dropped_total", "counter",
         "Out-of-hours callback requests not filed: the hand-over queue was full (logged).",
         stats.callbacks_dropped),
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
        yield family(f"callcenter_{name}", type_, help_, [((), value)])
    yield metrics.pop_latency.family(
        "callcenter_screen_pop_latency_seconds",
        "From the AMI event that rang the agent (receipt) to the pop's publication.",
    )
    yield metrics.route_latency.family(
        "callcenter_route_latency_seconds",
        "Time to answer one dialplan hook request (FastAGI or HTTP).",
    )
    yield family(
        "callcenter_ws_clients",
        "gauge",
        "Websocket subscriptions open on this process, by stream.",
        [(("agent",), hub.subscriber_count() - wallboards), (("wallboard",), wallboards)],
        labels=("stream",),
    )
    gate = runtime.handshakes
    yield family(
        "callcenter_ws_handshakes",
        "gauge",
        "Websocket handshakes at work now, and waiting their turn (WS_HANDSHAKES_AT_ONCE).",
        [(("busy",), gate.busy), (("waiting",), gate.waiting)],
        labels=("state",),
    )
    yield from _webhook_families(runtime, metrics)
    yield from _reconcile_families(metrics)
    yield from _scaleout_families(runtime)


def _ami_families(runtime: Runtime) -> Iterable[Metric]:
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
        samples = [((pbx,), value) for pbx, value in values]
        yield family(f"callcenter_{name}", type_, help_, samples, labels=("pbx",))


def _webhook_families(runtime: Runtime, metrics: CallCenterMetrics) -> Iterable[Metric]:
    hooks = runtime.webhooks
    stats = hooks.stats
    rows: tuple[tuple[str, str, str, float], ...] = (
        ("delivered_total", "counter", "Webhook deliveries a subscriber accepted (2xx).",
         stats.delivered),
        ("failed_total", "counter", "Failed webhook attempts (each retried or dead-lettered).",
         stats.failed),
        ("dead_lettered_total", "counter",
         "Webhook deliveries given up after every retry (see /api/webhooks/dead-letters).",
         stats.dead),
        ("dropped_total", "counter",
         "Webhook events dropped because the in-memory buffer was full (logged).", hooks.dropped),
        ("queue_depth", "gauge",
         "Webhook events buffered in memory plus deliveries pending in the outbox.", hooks.depth),
        ("deliverer", "gauge",
         "1 while this process delivers webhooks (exactly one process per database should).",
         float(hooks.delivering)),
    )  # fmt: skip
    for name, type_, help_, value in rows:
        yield family(f"callcenter_webhook_{name}", type_, help_, [((), value)])
    yield metrics.webhook_latency.family(
        "callcenter_webhook_delivery_latency_seconds",
        "From the event to the subscriber's 2xx (retries included).",
    )


def _reconcile_families(metrics: CallCenterMetrics) -> Iterable[Metric]:
    yield family(
        "callcenter_reconcile_runs_total",
        "counter",
        "Reconciliations run through /api/reconcile.",
        [((), metrics.reconcile_runs)],
    )
    last = metrics.reconcile_last
    if not last:
        return
    yield family(
        "callcenter_reconcile_last_calls",
        "gauge",
        "The last reconciliation's summary: calls per side, missing and differing.",
        [((key,), value) for key, value in sorted(last.items()) if key != "timestamp"],
        labels=("figure",),
    )
    yield family(
        "callcenter_reconcile_last_timestamp_seconds",
        "gauge",
        "When the last reconciliation finished (Unix time).",
        [((), last["timestamp"])],
    )


def _scaleout_families(runtime: Runtime) -> Iterable[Metric]:
    """Leader locks and the Redis bus, when the process runs scaled out."""
    leaders = sorted(runtime.leaders.items())
    if leaders:
        yield family(
            "callcenter_ami_leader",
            "gauge",
            "1 while this process holds the PBX's listener lock (exactly one process should).",
            [((n,), float(x.leading)) for n, x in leaders],
            labels=("pbx",),
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
        yield family(full, type_, help_, [((), value)])
