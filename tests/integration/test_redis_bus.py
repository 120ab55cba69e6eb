"""The Redis bus between processes: one seq space per channel, resume anywhere, outages survived.

Each "process" here is a PushHub with its own RedisBus, in one event loop, on the real Redis at
127.0.0.1:6379 under a key prefix of its own (deleted afterwards).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from callcenter.adapters.bus.redis_bus import RedisBus
from callcenter.adapters.push.hub import PushHub, Subscription
from callcenter.adapters.push.protocol import WALLBOARD, decode
from callcenter.domain.calls.facts import AgentStateChanged, Fact
from support.servekit import until

REDIS_URL = os.environ.get("CALLCENTER_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture
def prefix(redis_prefix: str) -> str:
    """This test's own Redis key prefix (the shared fixture deletes its keys after)."""
    return redis_prefix


async def take(sub: Subscription, n: int, timeout: float = 5.0) -> list[dict[str, Any]]:
    """The next n messages of a subscription, decoded."""
    out: list[dict[str, Any]] = []
    async with asyncio.timeout(timeout):
        async for text in sub:
            out.append(decode(text))
            if len(out) == n:
                break
    return out


@contextlib.asynccontextmanager
async def node(prefix: str, url: str = REDIS_URL, **kw: Any) -> AsyncIterator[RedisBus]:
    """One process's hub and bus."""
    bus = RedisBus(hub=PushHub(backlog=50), url=url, prefix=prefix, retry_s=0.1, **kw)
    await bus.start(wait_s=3)
    try:
        yield bus
    finally:
        await bus.aclose()


async def test_a_message_published_on_one_process_reaches_the_others_with_one_seq(
    prefix: str,
) -> None:
    async with node(prefix) as a, node(prefix) as b:
        assert a.healthy and b.healthy
        assert a.hub.generation == b.hub.generation == a.cluster_generation
        sub_a = a.hub.subscribe("agent:1001")
        sub_b = b.hub.subscribe("agent:1001")
        a.hub.publish("agent:1001", "screen_pop", {"caller": "+8613800138000", "name": "李伟"})
        b.hub.publish("agent:1001", "call_update", {"state": "answered"})
        got_a, got_b = await take(sub_a, 2), await take(sub_b, 2)
        assert got_a == got_b  # same messages, same order, same seqs, everywhere
        assert [m["seq"] for m in got_a] == [1, 2]
        # which of the two processes reached Redis first is a race; the order is one for all
        (pop,) = [m for m in got_a if m.get("name")]
        assert pop["name"] == "李伟" and pop["caller"] == "+8613800138000"
        assert {m["gen"] for m in got_a} == {a.cluster_generation}


async def test_a_socket_resumed_on_another_process_gets_exactly_what_it_missed(
    prefix: str,
) -> None:
    async with node(prefix) as a, node(prefix) as b:
        first = a.hub.subscribe("agent:1002")
        for n in range(3):
            a.hub.publish("agent:1002", "agent_state", {"n": n})
        seen = await take(first, 3)
        first.close()  # the websocket drops here...
        last = seen[-1]
        for n in range(3, 6):
            a.hub.publish("agent:1002", "agent_state", {"n": n})
        await until(lambda: b.hub.current_seq("agent:1002") == 6)
        resumed = b.hub.subscribe("agent:1002", since=last["seq"], generation=last["gen"])
        missed = await take(resumed, 3)  # ...and is resumed on the other process
        assert [m["n"] for m in missed] == [3, 4, 5]
        assert [m["seq"] for m in missed] == [4, 5, 6]


async def test_a_process_started_later_knows_the_cluster_seqs(prefix: str) -> None:
    async with node(prefix) as a:
        sub = a.hub.subscribe("agent:1003")
        a.hub.publish("agent:1003", "agent_state", {"n": 1})
        (msg,) = await take(sub, 1)
        async with node(prefix) as late:
            # Resuming right after seq 1 on the newcomer: nothing missed, no resync.
            resumed = late.hub.subscribe("agent:1003", since=msg["seq"], generation=msg["gen"])
            a.hub.publish("agent:1003", "agent_state", {"n": 2})
            (nxt,) = await take(resumed, 1)
            assert nxt["type"] == "agent_state" and nxt["seq"] == 2


async def test_a_stale_generation_gets_a_resync_on_any_process(prefix: str) -> None:
    async with node(prefix) as a:
        a.hub.publish("agent:1001", "agent_state", {"n": 1})
        await until(lambda: a.hub.current_seq("agent:1001") == 1)
        sub = a.hub.subscribe("agent:1001", since=1, generation="an-older-generation")
        (msg,) = await take(sub, 1)
        assert msg["type"] == "resync"


async def test_facts_reach_the_other_processes_only(prefix: str) -> None:
    got_a: list[tuple[Fact, str | None]] = []
    got_b: list[tuple[Fact, str | None]] = []
    fact = AgentStateChanged(
        pbx="pbx1",
        at=1.0,
        interface="Local/1001@agents/n",
        member_name="Wang Fang",
        state="paused",
        reason="Lunch break",
        queues=("member-hotline",),
        paused_in=("member-hotline",),
    )

    def collect(into: list[tuple[Fact, str | None]]) -> Callable[[Fact, str | None], None]:
        return lambda f, code: into.append((f, code))

    async with (
        node(prefix, on_fact=collect(got_a)) as a,
        node(prefix, on_fact=collect(got_b)) as b,
    ):
        assert b.healthy
        a.publish_fact(fact, code="1001")
        await until(lambda: len(got_b) == 1)
        await asyncio.sleep(0.1)
        assert got_b == [(fact, "1001")]
        assert got_a == []  # a process does not fold its own facts twice


async def test_wallboard_stays_per_process(prefix: str) -> None:
    async with node(prefix) as a, node(prefix) as b:
        sub_b = b.hub.subscribe(WALLBOARD)
        assert a.hub.publish(WALLBOARD, "wallboard", {"groups": []}) == 1  # sequenced locally
        a.hub.publish("agent:1001", "agent_state", {"n": 1})
        await until(lambda: b.hub.current_seq("agent:1001") == 1)
        assert b.hub.current_seq(WALLBOARD) == 0
        assert sub_b._queue.empty()


async def test_a_bad_payload_raises_at_publish_and_uses_no_seq(prefix: str) -> None:
    async with node(prefix) as a:
        with pytest.raises(TypeError):
            a.hub.publish("agent:1001", "screen_pop", {"x": object()})
        a.hub.publish("agent:1001", "screen_pop", {"x": 1})
        await until(lambda: a.hub.current_seq("agent:1001") == 1)


class Cuttable:
    """A loopback TCP proxy to Redis that a test can cut and restore (an outage on demand)."""

    def __init__(self) -> None:
        self.up = True
        self._writers: list[asyncio.StreamWriter] = []
        self._server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> str:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return f"redis://127.0.0.1:{self.port}/0"

    def cut(self) -> None:
        self.up = False
        for w in self._writers:
            w.transport.abort()
        self._writers.clear()

    async def stop(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self.up:
            writer.transport.abort()
            return
        r_reader, r_writer = await asyncio.open_connection("127.0.0.1", 6379)
        self._writers += [writer, r_writer]

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, ConnectionError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.transport.abort()

        await asyncio.gather(pipe(reader, r_writer), pipe(r_reader, writer))


async def _wait_healthy(bus: RedisBus, healthy: bool) -> None:
    await until(lambda: bus.healthy is healthy, timeout=10)


async def test_redis_away_local_sockets_still_served_and_remote_told_to_resync(
    prefix: str,
) -> None:
    proxy = Cuttable()
    url = await proxy.start()
    try:
        async with node(prefix, url=url) as a, node(prefix) as b:
            cluster = a.cluster_generation
            local = a.hub.subscribe("agent:1001")
            remote = b.hub.subscribe("agent:1001")
            a.hub.publish("agent:1001", "agent_state", {"n": 1})
            assert (await take(local, 1))[0]["seq"] == 1
            assert (await take(remote, 1))[0]["seq"] == 1

            proxy.cut()  # Redis away for process a only
            await _wait_healthy(a, False)
            resync, *_ = await take(local, 1)
            assert resync["type"] == "resync"  # a's own sockets: refetch, then local messages
            a.hub.publish("agent:1001", "screen_pop", {"n": 2})
            pop = (await take(local, 1))[0]
            assert pop["type"] == "screen_pop" and pop["gen"] != cluster
            assert a.stats.local_only == 1

            proxy.up = True  # Redis back: the remote agent that missed the pop must refetch
            await _wait_healthy(a, True)
            told = await take(remote, 1)
            assert told[0]["type"] == "resync" and told[0]["gen"] == cluster
            assert a.hub.generation == cluster
            a.hub.publish("agent:1001", "agent_state", {"n": 3})
            after = [m for m in await take(remote, 1)]
            assert after[0]["n"] == 3 and after[0]["seq"] == told[0]["seq"] + 1
    finally:
        await proxy.stop()


async def test_redis_unreachable_at_start_serves_locally(prefix: str) -> None:
    bus = RedisBus(hub=PushHub(), url="redis://127.0.0.1:1/0", prefix=prefix, retry_s=0.1)
    assert await bus.start(wait_s=0.5) is False
    try:
        sub = bus.hub.subscribe("agent:1001")
        bus.hub.publish("agent:1001", "screen_pop", {"n": 1})
        (msg,) = await take(sub, 1)
        assert msg["seq"] == 1 and msg["n"] == 1
        assert not bus.healthy
    finally:
        await bus.aclose()
