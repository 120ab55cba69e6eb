"""A reconnect storm is taken a few handshakes at a time (WS_HANDSHAKES_AT_ONCE).

Before, every handshake of a storm advanced at once, a step of each in every loop turn, and the
dialplan hook's answers waited behind them past their deadline (bench/chaos.py: one late answer per
run, each at a storm). Now at most the gate's limit are at work; the others wait their turn, and
every desktop still gets in. A socket that upgrades and never says hello holds no turn.
"""

from __future__ import annotations

import asyncio

import httpx

from support.livestack import LiveStack, live_stack
from support.rawsocket import Desktop

CODES = ("1001", "1002", "1003")


async def _subscribed(stack: LiveStack, count: int, timeout: float = 30.0) -> None:
    hub = stack.runtime.hub
    async with asyncio.timeout(timeout):
        while sum(hub.subscriber_count(stack.runtime.agent_channel(c)) for c in CODES) < count:
            await asyncio.sleep(0.02)


async def _storm(stack: LiveStack, count: int) -> tuple[list[Desktop], list[bool]]:
    """`count` desktops (the floor's three agents in turn) connecting at once, each saying
    hello; once all are subscribed, whether each was closed on."""
    tokens = [await stack.token("agent", code) for code in CODES]
    desktops = [Desktop(stack.http_port, tokens[i % 3]) for i in range(count)]
    try:
        await asyncio.gather(*(d.connect() for d in desktops))
        await _subscribed(stack, count)
        refused = await asyncio.gather(*(d.refused(0.1) for d in desktops))
    finally:
        for d in desktops:
            d.close()
    return desktops, list(refused)


async def test_a_storm_is_taken_a_few_handshakes_at_a_time_and_every_desktop_gets_in(
    database_url: str,
) -> None:
    """Figure: 200 desktops at once through a gate of 4 -> never more than 4 handshakes at work
    (and 4 at the busiest: the storm did queue), all 200 upgraded and subscribed, none closed;
    /metrics shows the gate idle afterwards."""
    async with live_stack(database_url, ws_handshakes_at_once=4) as stack:
        desktops, refused = await _storm(stack, 200)
        gate = stack.runtime.handshakes
        assert gate.peak == 4
        assert all(d.upgraded for d in desktops)
        assert not any(refused)
        async with httpx.AsyncClient(timeout=10) as client:
            text = (await client.get(stack.url("/metrics"))).text
        assert 'callcenter_ws_handshakes{state="busy"} 0' in text
        assert 'callcenter_ws_handshakes{state="waiting"} 0' in text


async def test_sockets_that_never_say_hello_do_not_hold_up_the_desktops_behind_them(
    database_url: str,
) -> None:
    """Figure: a gate of 2, 20 sockets upgraded and silent (hello timeout 30 s) -> no handshake
    at work or waiting; a desktop arriving after them is subscribed while they are still open."""
    async with live_stack(database_url, ws_handshakes_at_once=2, ws_hello_timeout_s=30) as stack:
        token = await stack.token("agent", "1001")
        silent = [Desktop(stack.http_port, token) for _ in range(20)]
        desktop = Desktop(stack.http_port, token)
        try:
            await asyncio.gather(*(s.connect(hello=False) for s in silent))
            await asyncio.sleep(0.1)
            assert (stack.runtime.handshakes.busy, stack.runtime.handshakes.waiting) == (0, 0)
            await desktop.connect()
            await _subscribed(stack, 1, timeout=10)
            still_open = await asyncio.gather(*(s.refused(0.05) for s in silent))
        finally:
            for d in [*silent, desktop]:
                d.close()
        assert all(s.upgraded for s in silent)
        assert not any(still_open)


async def test_a_storm_of_new_connections_begins_reading_a_few_per_loop_turn(
    database_url: str,
) -> None:
    """Figure: 200 desktops connecting at once, 4 new connections read per loop turn -> some
    of them waited paused for a later turn, none waits now, all 200 upgraded and subscribed,
    none closed."""
    async with live_stack(database_url, http_new_connections_per_turn=4) as stack:
        desktops, refused = await _storm(stack, 200)
        assert stack._server is not None
        intake = stack._server.config.connection_guard.intake  # type: ignore[attr-defined]
        assert intake.deferred > 0
        assert intake.waiting == 0
        assert all(d.upgraded for d in desktops)
        assert not any(refused)
