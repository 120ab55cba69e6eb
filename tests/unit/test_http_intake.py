"""Paced intake of new connections: `per_turn` begin reading in a loop turn, the rest wait."""

from __future__ import annotations

import asyncio

import pytest

from callcenter.adapters.http_intake import TurnIntake


class Transport:
    """What the intake touches of a transport: pause, resume, closing."""

    def __init__(self) -> None:
        self.reading = True
        self.closing = False

    def pause_reading(self) -> None:
        self.reading = False

    def resume_reading(self) -> None:
        self.reading = True

    def is_closing(self) -> bool:
        return self.closing


async def _turn() -> None:
    await asyncio.sleep(0)


async def test_a_burst_of_connections_begins_reading_a_few_per_turn_in_arrival_order() -> None:
    intake = TurnIntake(per_turn=3)
    burst = [Transport() for _ in range(8)]
    for transport in burst:
        intake.arrived(transport)  # type: ignore[arg-type]
    assert [t.reading for t in burst] == [True] * 3 + [False] * 5
    assert (intake.waiting, intake.deferred) == (5, 5)
    await _turn()
    assert [t.reading for t in burst] == [True] * 6 + [False] * 2
    await _turn()
    assert all(t.reading for t in burst)
    assert intake.waiting == 0


async def test_a_connection_closed_while_waiting_is_skipped_without_using_a_place() -> None:
    intake = TurnIntake(per_turn=1)
    first, gone, third = Transport(), Transport(), Transport()
    for transport in (first, gone, third):
        intake.arrived(transport)  # type: ignore[arg-type]
    gone.closing = True
    await _turn()
    assert (gone.reading, third.reading) == (False, True)


async def test_connections_arriving_one_per_turn_never_wait() -> None:
    intake = TurnIntake(per_turn=1)
    for _ in range(5):
        transport = Transport()
        intake.arrived(transport)  # type: ignore[arg-type]
        assert transport.reading
        await _turn()
    assert intake.deferred == 0


async def test_a_newcomer_does_not_overtake_connections_already_waiting() -> None:
    intake = TurnIntake(per_turn=2)
    early = [Transport() for _ in range(3)]
    for transport in early:
        intake.arrived(transport)  # type: ignore[arg-type]
    await _turn()  # the third one reads now; this turn's places: 1 left
    late = Transport()
    intake.arrived(late)  # type: ignore[arg-type]
    assert late.reading  # nobody waiting any more, a place left this turn


def test_an_intake_must_let_something_in() -> None:
    with pytest.raises(ValueError, match="at least one"):
        TurnIntake(0)
