"""10,000+ hostile AMI frames through the real protocol, translation and call state machine."""

from __future__ import annotations

import asyncio
import functools
import time
from dataclasses import asdict
from typing import Any

from ami_fuzz import Stream, streams
from hypothesis import HealthCheck, given, settings

from callcenter.adapters.ami.listener import AmiListener
from callcenter.adapters.ami.pipeline import AmiPipeline
from callcenter.adapters.ami.protocol import CallCenterAMIProtocol
from callcenter.adapters.ami.translate import wanted_frame
from callcenter.domain.calls import CallTracker
from callcenter.domain.calls.facts import CallEnded, Fact, RingStarted
from callcenter.domain.calls.records import CallRecord
from callcenter.settings import AmiServer
from callcenter.sim.server import SimulatedAsterisk
from support import TRACES

FRAMES = 10_000
GOOD = TRACES / "answered_caller_hangs_up.ami"
# Fields that do not depend on which clock stamped the events.
STABLE = ("linkedid", "direction", "caller", "caller_name", "queues", "agent", "outcome")
STABLE += ("ring_attempts", "transferred")


def _stable(record: CallRecord) -> dict[str, Any]:
    return {k: v for k, v in asdict(record).items() if k in STABLE}


def _records(facts: list[Fact]) -> list[CallRecord]:
    return [fact.record for fact in facts if isinstance(fact, CallEnded)]


def test_ten_thousand_fuzzed_frames_then_a_good_call() -> None:
    """Figure: >= 10,000 frames (random headers, truncations, binary junk, split anywhere) -> no
    exception escapes, and the recorded call that follows is tracked as on a clean pipeline."""
    # Stamped with receipt time, as the live listener does (a replay reads the stream's clock).
    pipeline = AmiPipeline(pbx="pbx1", clock=lambda _message: time.time())
    protocol = pipeline.protocol()
    frames = 0
    for chunks, count in _hostile_streams():
        for chunk in chunks:
            protocol.data_received(chunk)
        pipeline.drain()  # facts from junk are allowed; only exceptions are not
        frames += count
    assert frames >= FRAMES, frames

    # The junk may end mid-frame; the next real frame starts after a frame end, as on the wire.
    protocol.data_received(b"\r\n\r\n")
    pipeline.drain()
    protocol.data_received(GOOD.read_bytes())
    protocol.flush()
    after_junk = _records(pipeline.drain())

    clean = AmiPipeline(pbx="pbx1", clock=lambda _message: time.time())
    clean.feed_bytes(GOOD.read_bytes())
    expected = _records(clean.drain())
    assert expected and expected[0].outcome == "answered"
    assert [_stable(r) for r in after_junk] == [_stable(r) for r in expected]


def test_replay_survives_an_absurd_epoch_in_the_stream() -> None:
    """Figure: one frame claiming Uniqueid epoch 1e20 before a recorded call -> the call is still
    recorded by a replay (the stream clock must not jump to a time no record can hold)."""
    banner, rest = GOOD.read_bytes().split(b"\r\n", 1)
    poison = b"Event: Hangup\r\nUniqueid: 99999999999999999999.1\r\nLinkedid: 1700000000.9\r\n\r\n"
    pipeline = AmiPipeline(pbx="pbx1")
    pipeline.feed_bytes(banner + b"\r\n" + poison + rest)
    clean = AmiPipeline(pbx="pbx1")
    clean.feed_bytes(GOOD.read_bytes())
    expected = _records(clean.drain())
    assert [_stable(r) for r in _records(pipeline.drain())] == [_stable(r) for r in expected]


@functools.cache
def _hostile_streams() -> list[tuple[list[bytes], int]]:
    """Hypothesis-drawn hostile streams (derandomized: the same 400 every run), each as the
    chunks it arrives in and its frame count; drawn once (≈ 100 s) for both tests."""
    drawn: list[tuple[list[bytes], int]] = []

    @settings(
        max_examples=400,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(stream=streams(min_frames=25, max_frames=60))
    def collect(stream: Stream) -> None:
        drawn.append((list(stream.chunks()), stream.frames))

    collect()
    return drawn


def _wire_junk() -> list[bytes]:
    """The hostile streams' chunks, to be sent over a real socket."""
    drawn = _hostile_streams()
    assert sum(frames for _, frames in drawn) >= FRAMES
    return [chunk for chunks, _ in drawn for chunk in chunks]


async def test_live_listener_survives_fuzzed_stream_and_leaks_no_task() -> None:
    """Figure: >= 10,000 hostile frames over a real AMI socket -> listener connected, the next
    call's pop fact and record arrive, and after stop() the task count is back where it was."""
    junk = _wire_junk()
    sim = SimulatedAsterisk("callcenter", "s3cret", time_scale=0.02, seed=3)
    port = await sim.start(port=0)
    facts: list[Fact] = []
    pipeline = AmiPipeline(pbx="pbx1", tracker=CallTracker(), on_fact=facts.append)

    def protocol_factory() -> CallCenterAMIProtocol:
        protocol = CallCenterAMIProtocol()
        protocol.frame_filter = wanted_frame
        return protocol

    tasks_before = len(asyncio.all_tasks())
    listener = AmiListener(
        server=AmiServer(name="pbx1", port=port, secret="s3cret"),  # type: ignore[arg-type]
        sink=pipeline,
        protocol_factory=protocol_factory,
    )
    try:
        await listener.start()
        async with asyncio.timeout(10):
            while not listener.connected:
                await asyncio.sleep(0.01)
        for chunk in junk:
            sim.emit_raw(chunk)
            await asyncio.sleep(0)  # separate TCP reads, as they would come
        sim.emit_raw(b"\r\n\r\n")
        await asyncio.sleep(0.5)
        async with asyncio.timeout(10):
            while not listener.connected:  # a fuzzed "Event: Shutdown" makes it reconnect
                await asyncio.sleep(0.01)
        facts.clear()
        linkedid = sim.place_call(
            "+8613800138000", "Li Wei", "8001", answer_by="1001", agent_answers_after=1, talk_s=2
        )
        await sim.wait_idle()
        async with asyncio.timeout(10):
            while not any(isinstance(f, CallEnded) and f.linkedid == linkedid for f in facts):
                await asyncio.sleep(0.01)
        rang = [f for f in facts if isinstance(f, RingStarted) and f.linkedid == linkedid]
        assert rang and rang[0].interface.startswith("Local/1001@")
        (record,) = [r for r in _records(facts) if r.linkedid == linkedid]
        assert record.outcome == "answered"
        assert record.caller == "+8613800138000"
    finally:
        await listener.stop()
        await sim.stop()
    await asyncio.sleep(0.05)
    assert len(asyncio.all_tasks()) == tasks_before
