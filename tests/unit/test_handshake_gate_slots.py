"""The websocket handshake gate: at most `limit` at work, the rest wait in arrival order."""

from __future__ import annotations

import asyncio

import pytest

from callcenter.adapters.push.handshakes import HandshakeGate


async def test_at_most_limit_handshakes_work_at_once_and_the_rest_go_in_arrival_order() -> None:
    gate = HandshakeGate(2)
    release = asyncio.Event()
    started: list[int] = []

    async def handshake(n: int) -> None:
        async with gate.turn():
            started.append(n)
            await release.wait()

    tasks = [asyncio.create_task(handshake(n)) for n in range(5)]
    await asyncio.sleep(0.01)
    assert (gate.busy, gate.waiting, started) == (2, 3, [0, 1])
    release.set()
    await asyncio.gather(*tasks)
    assert started == [0, 1, 2, 3, 4]
    assert (gate.busy, gate.waiting, gate.peak) == (0, 0, 2)


async def test_a_free_gate_does_not_make_a_handshake_wait() -> None:
    gate = HandshakeGate(1)
    async with gate.turn():  # no loop turn given up: an idle process pays nothing
        assert (gate.busy, gate.waiting) == (1, 0)


async def test_a_handshake_that_fails_gives_its_turn_back() -> None:
    gate = HandshakeGate(1)
    with pytest.raises(RuntimeError):
        async with gate.turn():
            raise RuntimeError("client gone")
    async with asyncio.timeout(1):
        async with gate.turn():
            assert gate.busy == 1


async def test_a_handshake_cancelled_while_waiting_takes_no_turn() -> None:
    gate = HandshakeGate(1)
    async with gate.turn():
        waiter = asyncio.create_task(_hold(gate))
        await asyncio.sleep(0.01)
        assert gate.waiting == 1
        waiter.cancel()
        await asyncio.gather(waiter, return_exceptions=True)
        assert gate.waiting == 0
    assert (gate.busy, gate.peak) == (0, 1)


async def _hold(gate: HandshakeGate) -> None:
    async with gate.turn():
        await asyncio.sleep(10)


def test_a_gate_needs_a_slot() -> None:
    with pytest.raises(ValueError, match="at least one slot"):
        HandshakeGate(0)
