"""A loop's pause that ends early when something it waits for happens."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any


async def nap(
    seconds: float, sleep: Callable[[float], Awaitable[Any]], wake: asyncio.Event
) -> None:
    """Sleep `seconds` (through `sleep`, which may scale time) or until `wake` is set, then
    clear `wake`. Already set: only yield once, so what is ready to run runs first."""
    if wake.is_set():
        await asyncio.sleep(0)
    else:
        napping = asyncio.ensure_future(sleep(seconds))
        woken = asyncio.ensure_future(wake.wait())
        try:
            await asyncio.wait((napping, woken), return_when=asyncio.FIRST_COMPLETED)
        finally:
            napping.cancel()
            woken.cancel()
    wake.clear()
