"""The push backlog is bounded by bytes and by age: an older resume gets `resync`, not a gap."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from callcenter.adapters.push.hub import PushHub


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def first(sub: Any) -> dict[str, Any]:
    return dict(json.loads(await asyncio.wait_for(sub.__anext__(), 2)))


async def test_backlog_keeps_at_most_its_bytes_and_a_resume_beyond_them_resyncs() -> None:
    hub = PushHub(backlog=500, backlog_bytes=10_000, generation="g")
    blob = "x" * 1_000
    for n in range(50):  # ~50 KB published, ~10 KB may stay
        hub.publish("agent:1001", "screen_pop", {"n": n, "blob": blob})
    assert 8_000 <= hub.backlog_chars() <= 10_000
    recent = hub.subscribe("agent:1001", since=45, generation="g")
    assert [(await first(recent))["seq"] for _ in range(5)] == [46, 47, 48, 49, 50]
    old = await first(hub.subscribe("agent:1001", since=10, generation="g"))
    assert (old["type"], old["seq"]) == ("resync", 50)


async def test_one_message_bigger_than_the_bound_is_still_kept_for_a_resume() -> None:
    hub = PushHub(backlog_bytes=1_000, generation="g")
    hub.publish("agent:1001", "screen_pop", {"blob": "y" * 5_000})
    replay = await first(hub.subscribe("agent:1001", since=0, generation="g"))
    assert (replay["type"], replay["seq"]) == ("screen_pop", 1)


async def test_messages_older_than_the_age_bound_are_dropped_even_on_quiet_channels() -> None:
    clock = Clock()
    hub = PushHub(backlog_age_s=120.0, generation="g", clock=clock)
    hub.publish("agent:1001", "call_update", {"n": 1})
    hub.publish("agent:1002", "call_update", {"n": 1})
    clock.now += 60
    hub.publish("agent:1001", "call_update", {"n": 2})
    # 61 s later the first message of 1001 is 121 s old: a resume from 0 must resync
    clock.now += 61
    stale = await first(hub.subscribe("agent:1001", since=0, generation="g"))
    assert (stale["type"], stale["seq"]) == ("resync", 2)
    fresh = await first(hub.subscribe("agent:1001", since=1, generation="g"))
    assert (fresh["type"], fresh["seq"]) == ("call_update", 2)
    # 1002 published nothing since; another channel's publish sweeps its old message away
    hub.publish("agent:1003", "call_update", {"n": 1})
    kept = _texts(hub, "agent:1001", since=1) + _texts(hub, "agent:1003", since=0)
    assert len(kept) == 2
    assert hub.backlog_chars() == sum(len(t) for t in kept)
    up_to_date = hub.subscribe("agent:1002", since=1, generation="g")
    hub.publish("agent:1002", "call_update", {"n": 2})
    assert (await first(up_to_date))["seq"] == 2


def _texts(hub: PushHub, channel: str, since: int) -> list[str]:
    replay = hub.subscribe(channel, since=since, generation="g")
    texts = list(replay._replay)
    replay.close()
    return texts
