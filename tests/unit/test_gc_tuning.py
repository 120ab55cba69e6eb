"""The collector tuning still frees what calls and sockets throw away: shorter pauses, no leak."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from callcenter.lifecycle import GC_THRESHOLDS, tune_collector


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


@pytest.fixture
def tuned() -> Iterator[None]:
    before = gc.get_threshold()
    try:
        tune_collector()
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def _cycle() -> weakref.ref[_Node]:
    a, b = _Node(), _Node()
    a.other, b.other = b, a
    return weakref.ref(a)


def test_start_up_objects_are_left_out_of_the_scans(tuned: None) -> None:
    assert gc.get_freeze_count() > 1000
    assert gc.isenabled() and gc.get_threshold() == GC_THRESHOLDS


def test_garbage_cycles_made_while_serving_are_freed_without_an_explicit_collect(
    tuned: None,
) -> None:
    young = _cycle()
    gen0, gen1, _ = GC_THRESHOLDS
    busy = [[] for _ in range(gen0 * 2)]  # a call's worth of live objects, and more
    assert young() is None  # a gen0 pass found it
    older = _cycle()
    gc.collect(0)  # it survived one pass: it sits in gen1 now
    busy += [[] for _ in range(gen0 * gen1 * 2)]
    assert older() is None  # a gen1 pass found it
    del busy
