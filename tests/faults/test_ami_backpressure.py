"""The AMI listener's queue is bounded: a flood over a real socket pauses reading, loses nothing."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from typing import Any

from callcenter.adapters.ami.listener import AmiListener
from callcenter.adapters.ami.protocol import CallCenterAMIProtocol
from callcenter.settings import AmiServer
from callcenter.sim.server import SimulatedAsterisk

FLOOD = 20_000
MAX_QUEUE = 64
# asyncio reads at most 256 KiB at once; each flood frame below is longer than 40 bytes.
ONE_READ_FRAMES = 256 * 1024 // 40


class SlowSink:
    """Records every flood event in order; each one costs a little CPU, as tracking does."""

    def __init__(self, listener: list[AmiListener]) -> None:
        self.seen: list[int] = []
        self.depth_while_handling = 0
        self._listener = listener

    def handle(self, message: Mapping[str, Any], *, pbx: str, at: float) -> None:
        if message.get("Event") == "UserEvent" and message.get("UserEvent") == "Flood":
            self.seen.append(int(message["Seq"]))
            depth = self._listener[0].lag[0]
            self.depth_while_handling = max(self.depth_while_handling, depth)
            time.sleep(0.00002)

    def resync(self, messages: Sequence[Mapping[str, Any]], *, pbx: str, at: float) -> None:
        pass

    def connection_changed(self, *, pbx: str, connected: bool, at: float) -> None:
        pass


async def test_a_flood_pauses_reading_and_every_event_arrives_in_order() -> None:
    """Figure: 20,000 events sent at once to a listener whose queue holds 64 -> reading paused
    at least once, the queue never held more than 64 plus one socket read, all 20,000 handled in
    the order sent, the connection never dropped."""
    sim = SimulatedAsterisk("callcenter", "s3cret", time_scale=0.02, seed=3)
    port = await sim.start(port=0)
    holder: list[AmiListener] = []
    sink = SlowSink(holder)
    listener = AmiListener(
        server=AmiServer(name="pbx1", port=port, secret="s3cret"),  # type: ignore[arg-type]
        sink=sink,
        protocol_factory=CallCenterAMIProtocol,
        max_queue=MAX_QUEUE,
    )
    holder.append(listener)
    try:
        await listener.start()
        async with asyncio.timeout(10):
            while not listener.connected:
                await asyncio.sleep(0.01)
        flood = b"".join(
            f"Event: UserEvent\r\nUserEvent: Flood\r\nSeq: {n}\r\n\r\n".encode()
            for n in range(FLOOD)
        )
        sim.emit_raw(flood)
        async with asyncio.timeout(30):
            while len(sink.seen) < FLOOD:
                await asyncio.sleep(0.01)
        assert sink.seen == list(range(FLOOD))
        assert listener.read_pauses >= 1
        assert MAX_QUEUE <= listener.peak_depth <= MAX_QUEUE + ONE_READ_FRAMES
        assert listener.connected and listener.connects == 1
        async with asyncio.timeout(5):
            while listener.lag[0]:  # and the queue drains: nothing stays stuck behind a pause
                await asyncio.sleep(0.01)
    finally:
        await listener.stop()
        await sim.stop()
