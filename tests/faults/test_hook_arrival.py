"""When a hook request counts as arrived: a request that waited while the loop was away is shed
(admission control), one sent after a slow answer on the same connection is not (SQLite,
PostgreSQL; the app on a real socket, the client in the same event loop)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from support.faults import open_all_day_rules
from support.livestack import live_stack

ROUTE = "/api/dialplan/route"
LI_WEI = "+8613800138000"


async def test_a_request_after_a_slow_answer_on_its_connection_is_routed_not_shed(
    database_url: str, tmp_path: Path
) -> None:
    """Figure: one route request whose answer is held up 300 ms by a stopped event loop (after its
    decision: a GC pause, a slow scrape), then a second on the same kept-alive connection -> the
    second is routed for its customer (`senior member`), not answered the fallback as
    "overloaded" (before: the loop had been away 300 ms just before, so the second request was
    taken to have waited that long, though it could not have been sent before the first answer),
    and nothing is counted as shed."""
    rules = open_all_day_rules(tmp_path)  # the route must not depend on the hour the test runs
    async with live_stack(database_url, dialplan_allow=["127.0.0.1"], routing_file=rules) as stack:
        routing = stack.runtime.routing
        told = routing._on_routed
        stop_once: list[float] = []

        def on_routed(seconds: float) -> None:
            if stop_once:
                time.sleep(stop_once.pop())  # the whole loop stops before the answer goes out
            if told is not None:
                told(seconds)

        routing._on_routed = on_routed
        base = f"http://127.0.0.1:{stack.http_port}"
        async with httpx.AsyncClient(base_url=base, timeout=10) as client:
            assert (await client.get(ROUTE)).status_code == 200  # warm-up
            stop_once.append(0.3)
            first = await client.get(ROUTE, params={"caller": LI_WEI})
            second = await client.get(ROUTE, params={"caller": LI_WEI})
        assert first.status_code == second.status_code == 200
        assert first.json()["reason"] == "senior member"
        assert second.json()["reason"] == "senior member", second.json()["trace"][:1]
        assert routing.stats.shed == 0
