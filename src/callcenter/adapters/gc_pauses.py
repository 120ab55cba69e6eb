"""Pauses of CPython's cyclic garbage collector: timed, exposed and, when long, logged.

A collection stops the event loop for as long as it runs: every pop, hook answer and handshake
waits. `lifecycle.tune_collector` keeps the passes short; this tells an operator (and a benchmark)
whether they are: `callcenter_gc_pause_seconds` on /metrics, and a WARNING for a pass that held the
loop longer than `slow_s`, with its generation, so a late hook answer can be matched with one.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Iterable
from typing import Any

from prometheus_client.core import CounterMetricFamily
from prometheus_client.metrics_core import Metric

from callcenter.adapters.metrics import Histogram

log = logging.getLogger(__name__)

SLOW_S = 0.05
BUCKETS_S = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)


class GcPauses:
    """A gc.callbacks entry: each pass timed (wall clock, the loop is stopped meanwhile)."""

    def __init__(self, slow_s: float = SLOW_S) -> None:
        self.slow_s = slow_s
        self.pauses = Histogram(BUCKETS_S)
        self.slow: dict[int, int] = {0: 0, 1: 0, 2: 0}
        self._started: float | None = None

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        if self._started is None:
            return
        took = time.perf_counter() - self._started
        self._started = None
        self.pauses.observe(took)
        generation = int(info.get("generation", 0))
        if took >= self.slow_s:
            self.slow[generation] = self.slow.get(generation, 0) + 1
            log.warning(
                "garbage collection (generation %d) held the event loop %.0f ms; %d collected",
                generation,
                took * 1000,
                int(info.get("collected", 0)),
            )

    def install(self) -> None:
        """Start timing passes (idempotent)."""
        if self not in gc.callbacks:
            gc.callbacks.append(self)

    def uninstall(self) -> None:
        """Stop timing passes (at shutdown: a process may build several runtimes, tests do)."""
        while self in gc.callbacks:
            gc.callbacks.remove(self)

    def families(self) -> Iterable[Metric]:
        """The pauses' histogram and the slow ones by generation, for /metrics."""
        yield self.pauses.family(
            "callcenter_gc_pause_seconds",
            "Cyclic garbage collector passes: how long each held the event loop.",
        )
        slow = CounterMetricFamily(
            "callcenter_gc_slow_pauses",
            f"Collector passes longer than {self.slow_s * 1000:.0f} ms, by generation (logged).",
            labels=["generation"],
        )
        for generation, count in sorted(self.slow.items()):
            slow.add_metric([str(generation)], count)
        yield slow
