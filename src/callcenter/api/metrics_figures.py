"""The figures `GET /metrics` reads from the running components at scrape time."""

from __future__ import annotations

from collections.abc import Iterable

from callcenter.adapters.metrics import CallCenterMetrics, Family, Sample
from callcenter.adapters.push.protocol import WALLBOARD
from callcenter.runtime import Runtime


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
