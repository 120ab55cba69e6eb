"""Stopping a background task so that a stop is a stop.

`task.cancel()` followed by `with suppress(CancelledError): await task` has two faults: it
swallows a cancel aimed at the caller too (a closer given a grace period then overruns it), and
it waits forever for a task that ignored its cancel. `cancel_and_wait` waits with
`asyncio.wait`, which lets the caller's own cancel through.
"""

from __future__ import annotations

import asyncio
from typing import Any


async def cancel_and_wait(task: asyncio.Task[Any] | None) -> None:
    """Cancel `task` and return once it has ended; an error it ended with is raised here, its
    cancellation is not, and a cancel of the caller still reaches the caller."""
    if task is None:
        return
    task.cancel()
    await asyncio.wait([task])
    if not task.cancelled():
        task.result()
