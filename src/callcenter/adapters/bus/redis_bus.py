"""The push hub's relay over Redis: cluster-wide seqs and generation, facts shared by processes.

Every message published in any process goes through one Lua script that takes the channel's
next seq (INCR) and publishes it on one pub/sub channel, so every process receives every message
in seq order and stores it under the same seq: a websocket resumed on another process loses
nothing. Publishing never awaits: messages queue for one sender task.

When Redis is away, this process falls back to its own generation and serves its own
subscribers (they get a resync first); agents connected to OTHER processes miss what this
process publishes until Redis is back. Then every channel that missed messages gets a `resync`
through the bus, so those agents refetch instead of silently missing a pop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Callable, Collection
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from callcenter.adapters.bus.fact_codec import FactCodecError, decode_fact, encode_fact
from callcenter.adapters.bus.redis_wire import (
    BusStats,
    Outgoing,
    cluster_state,
    parse_push,
    send_batch,
    seq_key,
    text_of,
)
from callcenter.adapters.push.hub import PushHub
from callcenter.adapters.push.protocol import RESYNC, WALLBOARD, Template
from callcenter.domain.calls.facts import Fact

log = logging.getLogger(__name__)

FactHandler = Callable[[Fact, "str | None"], None]
BUS_ERRORS = (RedisError, OSError, TimeoutError, ConnectionError)


class RedisBus:
    """Relay of one process's PushHub through Redis; `start()` then `aclose()`."""

    def __init__(
        self,
        *,
        hub: PushHub,
        url: str,
        prefix: str = "callcenter",
        node: str | None = None,
        on_fact: FactHandler | None = None,
        on_peer: Callable[[], None] | None = None,
        local_only: Collection[str] = (WALLBOARD,),
        retry_s: float = 1.0,
        op_timeout_s: float = 2.0,
        ping_s: float = 5.0,
        queue_size: int = 10_000,
        batch: int = 256,
    ) -> None:
        self.hub = hub
        self.node = node or secrets.token_hex(4)
        self.stats = BusStats()
        self.cluster_generation: str | None = None
        self._prefix = prefix
        self._push = f"{prefix}:push"
        self._facts = f"{prefix}:facts"
        self._on_fact = on_fact
        self._on_peer = on_peer
        self._local_only = frozenset(local_only)
        self._retry_s, self._op_timeout, self._ping_s = retry_s, op_timeout_s, ping_s
        self._batch = batch
        # No silent reconnects inside redis-py: a dropped subscription must be noticed here.
        self._redis = Redis.from_url(
            url,
            socket_timeout=op_timeout_s,
            socket_connect_timeout=op_timeout_s,
            retry=Retry(NoBackoff(), 0),
        )
        self._queue: asyncio.Queue[Outgoing] = asyncio.Queue(maxsize=queue_size)
        self._missed: set[str] = set()  # channels whose messages stayed local during an outage
        self._broken = asyncio.Event()
        self._ready = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def healthy(self) -> bool:
        """True while messages go through Redis."""
        return self.stats.healthy

    def seq_key(self, channel: str) -> str:
        """The Redis key holding a hub channel's last seq."""
        return seq_key(self._prefix, channel)

    async def start(self, *, wait_s: float = 5.0) -> bool:
        """Relay the hub through Redis; False if Redis did not answer in time (retried on)."""
        self.hub.relay_through(self._relay, local_only=self._local_only)
        self._tasks = [
            asyncio.create_task(self._run(), name="bus-session"),
            asyncio.create_task(self._send_loop(), name="bus-sender"),
        ]
        try:
            async with asyncio.timeout(wait_s):
                await self._ready.wait()
        except TimeoutError:
            log.error("bus: Redis not reachable; serving this process's sockets only, retrying")
            return False
        return True

    async def aclose(self) -> None:
        """Stop relaying (the hub goes back to in-process seqs) and close the connections."""
        self.hub.relay_through(None)
        pending = set(self._tasks)
        while pending:
            # Cancel again if redis-py swallowed the first cancellation mid-command.
            for task in pending:
                task.cancel()
            _, pending = await asyncio.wait(pending, timeout=0.5)
        self._tasks = []
        with contextlib.suppress(*BUS_ERRORS):
            await self._redis.aclose()

    def publish_fact(self, fact: Fact, *, code: str | None = None) -> None:
        """Share a fact with the other processes (their wallboards and presence); never waits."""
        if self.healthy:
            self._enqueue(Outgoing("", None, encode_fact(fact, code=code)))

    # -- sending ---------------------------------------------------------------------------

    def _relay(self, channel: str, template: Template) -> None:
        if not self.healthy:
            self._keep_local(channel, template)
            return
        self._enqueue(Outgoing(channel, template))

    def _enqueue(self, out: Outgoing) -> None:
        try:
            self._queue.put_nowait(out)
        except asyncio.QueueFull:
            self.stats.dropped += 1
            if out.channel:
                self._missed.add(out.channel)
            if self.stats.dropped % 1000 == 1:
                log.error("bus: sender queue full, %d message(s) dropped", self.stats.dropped)

    def _keep_local(self, channel: str, template: Template) -> None:
        self.hub.publish_local(channel, template)
        self._missed.add(channel)
        self.stats.local_only += 1

    async def _send_loop(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self._batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            if self.healthy:
                try:
                    async with asyncio.timeout(self._op_timeout):
                        await self._send(batch)
                    continue
                except BUS_ERRORS as exc:
                    self._outage(f"publish failed: {exc!r}")
            for out in batch:
                if out.template is not None:
                    self._keep_local(out.channel, out.template)

    async def _send(self, batch: list[Outgoing]) -> None:
        facts = await send_batch(
            self._redis,
            batch,
            node=self.node,
            prefix=self._prefix,
            push=self._push,
            facts=self._facts,
        )
        self.stats.facts_sent += facts
        self.stats.sent += len(batch) - facts

    # -- receiving -------------------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            try:
                await self._session()
            except BUS_ERRORS as exc:
                self._outage(repr(exc))
            except Exception:
                log.exception("bus: session failed")
                self._outage("session failed")
            await asyncio.sleep(self._retry_s)

    async def _session(self) -> None:
        self._broken.clear()
        pubsub = self._redis.pubsub()
        try:
            # Subscribed first, then read the seqs: whatever comes after them reaches us.
            async with asyncio.timeout(2 * self._op_timeout):  # one operation's time each
                await self._subscribe(pubsub)
                generation, seqs = await cluster_state(self._redis, self._prefix)
            self.hub.adopt_generation(generation, seqs)
            self.cluster_generation = generation
            self.stats.healthy = True
            self._ready.set()
            log.info("bus: relaying through Redis, generation %s", generation)
            self._announce_missed()
            self._enqueue(Outgoing("", None, "hello"))
            await self._listen(pubsub)
        finally:
            with contextlib.suppress(*BUS_ERRORS):
                await pubsub.aclose()  # type: ignore[no-untyped-call,unused-ignore]

    async def _subscribe(self, pubsub: PubSub) -> None:
        await pubsub.subscribe(self._push, self._facts)
        confirmed = 0
        while confirmed < 2:
            msg = await pubsub.get_message(timeout=self._op_timeout)
            if msg is not None and msg["type"] == "subscribe":
                confirmed += 1

    def _announce_missed(self) -> None:
        """Channels whose messages other processes missed get a resync through the bus."""
        missed, self._missed = self._missed, set()
        for channel in sorted(missed):
            self._enqueue(Outgoing(channel, Template.of(RESYNC)))
        if missed:
            log.warning("bus: told %d channel(s) to resync after an outage", len(missed))

    async def _listen(self, pubsub: PubSub) -> None:
        loop = asyncio.get_running_loop()
        last_heard = loop.time()
        pinged = False
        while not self._broken.is_set():
            msg = await pubsub.get_message(timeout=1.0)
            now = loop.time()
            if msg is None:
                if now - last_heard > self._ping_s + self._op_timeout:
                    raise ConnectionError("Redis went silent")
                if now - last_heard > self._ping_s and not pinged:
                    await pubsub.ping()
                    pinged = True
                continue
            last_heard, pinged = now, False
            if msg["type"] == "message":
                self._dispatch(text_of(msg["channel"]), msg["data"])

    def _dispatch(self, channel: str, data: Any) -> None:
        text = text_of(data)
        if channel == self._push:
            self._on_push(text)
            return
        node, _, body = text.partition("\n")
        if node == self.node:
            return
        if body == "hello":
            if self._on_peer is not None:
                self._on_peer()
            return
        try:
            fact, code = decode_fact(body)
        except FactCodecError as exc:
            log.warning("bus: bad fact from %s skipped: %s", node, exc)
            return
        self.stats.facts_received += 1
        if self._on_fact is not None:
            try:
                self._on_fact(fact, code)
            except Exception:
                log.exception("bus: remote fact handling failed")

    def _on_push(self, wire: str) -> None:
        parsed = parse_push(wire)
        if parsed is None:
            log.warning("bus: malformed push message skipped")
            return
        channel, seq, generation, text = parsed
        if generation != self.cluster_generation:
            # Redis lost its keys and a new generation began: start over from it.
            log.warning("bus: generation changed %s -> %s", self.cluster_generation, generation)
            self.cluster_generation = generation
            self.hub.adopt_generation(generation, {channel: seq - 1})
        self.stats.received += 1
        self.hub.deliver(channel, seq, generation, text)

    def _outage(self, why: str) -> None:
        self._broken.set()
        if not self.stats.healthy:
            return
        self.stats.healthy = False
        self.stats.outages += 1
        # Our own generation: our sockets resync now and then get this process's messages.
        self.hub.adopt_generation(secrets.token_hex(6), {})
        log.error("bus: Redis away (%s); serving this process's sockets only", why)
