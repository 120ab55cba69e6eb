"""Collector passes are timed; a long one is counted by generation and logged."""

from __future__ import annotations

import gc
import logging

import pytest

from callcenter.adapters.gc_pauses import GcPauses
from callcenter.adapters.metrics import render_families


def test_every_collector_pass_is_timed_while_installed_and_none_after() -> None:
    pauses = GcPauses()
    pauses.install()
    pauses.install()  # idempotent: one entry
    try:
        assert gc.callbacks.count(pauses) == 1
        gc.collect()
        assert pauses.pauses.count >= 1
    finally:
        pauses.uninstall()
    counted = pauses.pauses.count
    gc.collect()
    assert pauses.pauses.count == counted
    assert pauses not in gc.callbacks


def test_a_pass_longer_than_the_limit_is_counted_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    pauses = GcPauses(slow_s=0.0)  # every pass counts as slow
    with caplog.at_level(logging.WARNING):
        pauses("start", {"generation": 2})
        pauses("stop", {"generation": 2, "collected": 7})
    assert pauses.slow[2] == 1
    assert "garbage collection (generation 2) held the event loop" in caplog.text
    assert "7 collected" in caplog.text
    text = render_families(pauses.families())
    assert 'callcenter_gc_slow_pauses_total{generation="2"} 1.0' in text
    assert "callcenter_gc_pause_seconds_count 1.0" in text


def test_a_stop_without_its_start_is_ignored() -> None:
    pauses = GcPauses()
    pauses("stop", {"generation": 0, "collected": 0})  # installed mid-pass
    assert pauses.pauses.count == 0
