"""The loop heartbeat: a request seen late is dated back; the recent long turns are remembered."""

from __future__ import annotations

import asyncio
import time

from callcenter.adapters.loop_lag import arrival_time, recent_lag, stop_heartbeat


async def test_a_run_of_long_turns_is_remembered_a_single_stall_is_not() -> None:
    """Figure: the loop held 80 ms once -> a request seen right after is dated ~80 ms earlier,
    but the recent lag stays short (one stall is not a congested loop); held 80 ms on two turns
    in a row -> the recent lag reads >= 70 ms; 0.2 s of an idle loop later it has faded."""
    arrival_time()  # starts the heartbeat
    try:
        await asyncio.sleep(0.1)
        time.sleep(0.08)  # noqa: ASYNC251  # the loop held on purpose: no beat
        seen = time.monotonic()
        assert seen - arrival_time() >= 0.06
        await asyncio.sleep(0.02)
        assert recent_lag() < 0.03  # one stall
        for _ in range(2):
            await asyncio.sleep(0.012)  # let a beat come due
            time.sleep(0.08)  # noqa: ASYNC251  # two long turns in a row
        await asyncio.sleep(0.002)
        assert recent_lag() >= 0.07
        await asyncio.sleep(0.2)
        assert recent_lag() < 0.03  # faded (a busy machine's own beats may be a little late)
    finally:
        stop_heartbeat()


def test_without_a_running_loop_there_is_no_lag() -> None:
    assert recent_lag() == 0.0
