"""The push path alone, without sockets: screen-pops through the notifier and hub to A agents.

Each pop is built from a typed ScreenPop with a customer bundle of a realistic size, published on
its agent's channel (kept in the backlog) and taken off the subscriber's queue, as the websocket
route does. Load-independent figures: process CPU per pop, cyclic-GC passes per 1000 pops, and
the bytes tracemalloc saw allocated per pop (a second, traced pass). Last line: key=value.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import time
import tracemalloc
from typing import Any

from callcenter.adapters.push.hub import PushHub
from callcenter.adapters.push.notifier import HubNotifier
from callcenter.ports.push import PoppedCall, ScreenPop


def bundle(i: int) -> dict[str, Any]:
    """A customer with a few orders, complaints and contacts, as the pop carries them."""
    return {
        "customer": {"id": i, "name": f"王芳 {i}", "tier": "gold", "phones": ["+8613800138000"]},
        "orders": [
            {"id": i * 10 + k, "total": "129.00", "status": "shipped", "at": "2026-11-30"}
            for k in range(5)
        ],
        "complaints": [{"id": i, "subject": "配送延迟", "state": "open"}],
        "contacts": [{"at": "2026-11-29T10:00:00+00:00", "outcome": "answered"}] * 3,
    }


def pop(i: int) -> ScreenPop:
    call = PoppedCall(
        linkedid=f"1733.{i}",
        pbx="pbx1",
        caller="+8613800138000",
        caller_name="王芳",
        queue="member-hotline",
        waited_s=1.5,
        ringing_since="2026-12-01T02:00:04+00:00",
        routing_reason="vip",
        priority="5",
    )
    caller = {"status": "found", "e164": "+8613800138000", "candidates": [i]}
    return ScreenPop(call=call, complete=True, caller=caller, bundle=bundle(i))


async def run(agents: int, pops: int) -> tuple[float, list[int]]:
    hub = PushHub(generation="bench")
    notifier = HubNotifier(hub)
    subs = [hub.subscribe(f"agent:{1000 + a}") for a in range(agents)]
    messages = [pop(i) for i in range(pops)]
    gc.collect()
    before = [s["collections"] for s in gc.get_stats()]
    started = time.process_time()
    for i, message in enumerate(messages):
        a = i % agents
        notifier.screen_pop(str(1000 + a), message)
        await anext(subs[a])  # the route's read: the frame text, ready for the socket
    cpu = time.process_time() - started
    passes = [s["collections"] - b for s, b in zip(gc.get_stats(), before, strict=True)]
    return cpu, passes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--pops", type=int, default=20000)
    parser.add_argument(
        "--no-trace", action="store_true", help="skip the traced pass (instruction counts)"
    )
    args = parser.parse_args()
    cpu, passes = asyncio.run(run(args.agents, args.pops))
    peak = 0
    if not args.no_trace:
        tracemalloc.start()
        asyncio.run(run(args.agents, args.pops // 10))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    per_k = [round(1000 * n / args.pops, 2) for n in passes]
    print(
        f"cpu_us_per_pop={1e6 * cpu / args.pops:.1f} gc_passes_per_1000_pops={per_k} "
        f"traced_peak_kb={peak // 1024} thresholds={gc.get_threshold()}"
    )


if __name__ == "__main__":
    main()
