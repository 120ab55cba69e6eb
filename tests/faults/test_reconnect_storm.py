"""A reconnect storm: every desktop of a floor comes back within one second (a restart, a blip).

Token checks come from a cache filled in one query, and a token not yet known is looked up once
however many sockets present it at the same moment; none of them is refused with 1013.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from callcenter.services.tokens import create_token
from support.livestack import live_stack, seed_floor
from support.rawsocket import Desktop
from support.servekit import Served, make_tokens, served

DESKTOPS = 1_000
# The target is 2 s. Each socket costs the server ~2 ms of CPU (handshake, routing, hello, auth
# from the cache, subscription): on a machine whose cores are shared with other work that is
# several seconds of wall time, so the bound checked here is looser; what must not happen is
# what happened before, a single desktop refused (1013) because its token check timed out.
WITHIN_S = 15.0


async def _subscribed(node: Served, count: int, deadline: float) -> float:
    """Wait until the process reports `count` agent sockets; when that happened (monotonic)."""
    while time.monotonic() < deadline:
        if await node.metric('callcenter_ws_clients{stream="agent"}') >= count:
            return time.monotonic()
        await asyncio.sleep(0.25)  # a scrape costs the server a few ms: not too often
    return float("inf")


async def test_a_thousand_desktops_back_within_a_second_are_all_accepted(
    database_url: str, tmp_path: Path
) -> None:
    """Figure: a fresh process, 1,000 desktops (each its own token) reconnecting evenly within
    1 s -> all 1,000 upgraded and subscribed (2 s on a free core; see WITHIN_S); 0 closed with
    1013 or 1008."""
    await seed_floor(database_url)
    codes = ["1001", "1002", "1003"]
    tokens = await make_tokens(database_url, "agent", [codes[i % 3] for i in range(DESKTOPS)])
    async with served(database_url, tmp_path) as node:
        desktops = [Desktop(node.http_port, t) for t in tokens]
        started = time.monotonic()

        async def back(i: int, desktop: Desktop) -> None:
            await asyncio.sleep(i / DESKTOPS)  # evenly over one second
            await desktop.connect()

        try:
            await asyncio.gather(*(back(i, d) for i, d in enumerate(desktops)))
            done = await _subscribed(node, DESKTOPS, started + WITHIN_S + 5)
            refused = await asyncio.gather(*(d.refused(0.2) for d in desktops))
        finally:
            for d in desktops:
                d.close()
        assert all(d.upgraded for d in desktops)
        assert [d.closed_with for d in desktops if d.closed_with] == []
        assert not any(refused)
        assert done - started <= WITHIN_S, f"all accepted after {done - started:.2f} s"


async def test_one_token_on_many_sockets_is_looked_up_once(database_url: str) -> None:
    """Figure: a token created after the cache was filled, presented by 300 sockets at once ->
    1 database lookup, 300 accepted; revoked -> refused at once, no lookup needed."""
    async with live_stack(database_url) as stack:
        runtime = stack.runtime
        warm, _ = await create_token(uow=runtime.uow, role="supervisor")
        assert await runtime.auth.authenticate(warm) is not None  # fills the cache
        token, token_id = await create_token(uow=runtime.uow, role="agent", agent_code="1001")
        before = runtime.auth.db_lookups
        desktops = [Desktop(stack.http_port, token) for _ in range(300)]
        try:
            await asyncio.gather(*(d.connect() for d in desktops))
            async with asyncio.timeout(10):
                channel = runtime.agent_channel("1001")
                while runtime.hub.subscriber_count(channel) < 300:
                    await asyncio.sleep(0.02)
        finally:
            for d in desktops:
                d.close()
        assert runtime.auth.db_lookups - before == 1
        runtime.auth.forget(token_id)
        assert await runtime.auth.authenticate(token) is None
        assert runtime.auth.db_lookups - before == 1
