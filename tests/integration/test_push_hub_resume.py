"""Push hub over real websockets, coming back: a reconnect with since loses nothing, an overrun
backlog or another generation means resync, a bad since is refused."""

from __future__ import annotations

import asyncio

import pytest
from websockets.exceptions import ConnectionClosed

from callcenter.adapters.push.hub import PushHub
from support.push_serving import STEP, client, receive, serving, until


async def test_reconnect_with_since_loses_nothing() -> None:
    hub = PushHub()
    async with serving(hub) as base:
        async with client(f"{base}/agent:1001") as conn:
            await until(lambda: hub.subscriber_count() == 1)
            for n in range(5):
                hub.publish("agent:1001", "call_update", {"n": n})
            seen = await receive(conn, 5)
        for n in range(5, 10):
            hub.publish("agent:1001", "call_update", {"n": n})  # while the desktop is away
        last = seen[-1]["seq"]
        async with client(f"{base}/agent:1001?since={last}&gen={hub.generation}") as conn:
            # no wait needed: whatever is published before the subscription exists is replayed
            hub.publish("agent:1001", "call_update", {"n": 10})
            missed = await receive(conn, 5)
            live = await receive(conn, 1)
    assert [m["n"] for m in seen + missed + live] == list(range(11))
    assert [m["seq"] for m in seen + missed + live] == list(range(1, 12))


async def test_backlog_overrun_or_other_generation_means_resync() -> None:
    hub = PushHub(backlog=4)
    async with serving(hub) as base:
        for n in range(10):
            hub.publish("agent:1001", "call_update", {"n": n})
        # backlog now holds 7..10: 2 is too old, 99 is from the future
        for query in ("since=2", "since=99"):
            current = hub.current_seq("agent:1001")
            async with client(f"{base}/agent:1001?{query}") as conn:
                [message] = await receive(conn, 1)
                assert (message["type"], message["seq"]) == ("resync", current)
                hub.publish("agent:1001", "call_update", {"n": "after"})
                [after] = await receive(conn, 1)
                assert (after["type"], after["seq"]) == ("call_update", current + 1)
        # a foreign generation (the desktop was with a process now gone): the resync, then all
        # the backlog holds of this generation, none of which it can have seen, then live
        current = hub.current_seq("agent:1001")
        async with client(f"{base}/agent:1001?since=10&gen=not-{hub.generation}") as conn:
            got = await receive(conn, 5)
            assert [(m["type"], m["seq"]) for m in got] == [("resync", current)] + [
                ("call_update", seq) for seq in range(current - 3, current + 1)
            ]
            hub.publish("agent:1001", "call_update", {"n": "after"})
            [after] = await receive(conn, 1)
            assert (after["type"], after["seq"]) == ("call_update", current + 1)


async def test_bad_since_is_refused_with_policy_close() -> None:
    hub = PushHub()
    async with serving(hub) as base:
        with pytest.raises(ConnectionClosed) as closed:
            async with client(f"{base}/wallboard?since=abc") as conn:
                await asyncio.wait_for(conn.recv(), STEP)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
    assert "since must be a non-negative integer" in closed.value.rcvd.reason
    assert hub.subscriber_count() == 0
