"""Stopping background tasks: a stop waits for the task, and a deadline on the stop holds even
when the task will not end."""

from __future__ import annotations

import asyncio

import pytest

from callcenter.background import cancel_and_wait


async def test_a_cancelled_task_is_waited_for_and_its_cancel_not_raised() -> None:
    """Figure: a task that cleans up for 50 ms when cancelled -> cancel_and_wait returns after
    the clean-up, without raising."""
    cleaned: list[bool] = []

    async def worker() -> None:
        try:
            await asyncio.sleep(3600)
        finally:
            await asyncio.sleep(0.05)
            cleaned.append(True)

    task = asyncio.create_task(worker())
    await asyncio.sleep(0)
    await cancel_and_wait(task)
    assert cleaned == [True] and task.cancelled()
    await cancel_and_wait(None)  # nothing running: nothing to do


async def test_an_error_the_task_ended_with_is_raised() -> None:
    async def broken() -> None:
        raise RuntimeError("gave up")

    task = asyncio.create_task(broken())
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="gave up"):
        await cancel_and_wait(task)


async def test_a_deadline_on_the_stop_holds_when_the_task_ignores_its_cancel() -> None:
    """Figure: a task that swallows every cancel; its stop given 0.1 s -> TimeoutError after
    about 0.1 s (a `suppress(CancelledError): await task` stop would swallow the deadline's
    cancel too, and wait for ever)."""
    stop = asyncio.Event()

    async def stubborn() -> None:
        while not stop.is_set():
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                continue

    task = asyncio.create_task(stubborn())
    await asyncio.sleep(0)
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.1):
            await cancel_and_wait(task)
    assert loop.time() - started < 2.0
    stop.set()
    task.cancel()
    await asyncio.wait([task])
