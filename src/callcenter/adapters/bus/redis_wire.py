"""What the bus writes to Redis and reads back: the sequencing script and the message formats.

A push message on the pub/sub channel is `hub channel\nseq\ngeneration\ntext`; a fact is
`node\nfact text` (or `node\nhello` when a process joins).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from callcenter.adapters.push.protocol import Template

# KEYS: seq key, generation key, pub/sub channel; ARGV: head, rest, hub channel, new generation
SEQUENCE_AND_PUBLISH = """
local gen = redis.call('GET', KEYS[2])
if not gen then
  redis.call('SET', KEYS[2], ARGV[4])
  gen = ARGV[4]
end
local seq = redis.call('INCR', KEYS[1])
local text = ARGV[1] .. seq .. ',"gen":"' .. gen .. '"' .. ARGV[2]
redis.call('PUBLISH', KEYS[3], ARGV[3] .. '\\n' .. seq .. '\\n' .. gen .. '\\n' .. text)
return seq
"""


@dataclass
class BusStats:
    """Counters for a status page; `healthy` is False while Redis is away."""

    sent: int = 0
    received: int = 0
    local_only: int = 0  # published while Redis was away: reached this process's sockets only
    dropped: int = 0  # sender queue full
    facts_sent: int = 0
    facts_received: int = 0
    outages: int = 0
    healthy: bool = False


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message waiting for the sender task: a hub message, or a fact when channel is ""."""

    channel: str
    template: Template | None
    fact_text: str | None = None


def seq_key(prefix: str, channel: str) -> str:
    """The Redis key holding a hub channel's last seq."""
    return f"{prefix}:seq:{channel}"


async def send_batch(
    redis: Redis, batch: list[Outgoing], *, node: str, prefix: str, push: str, facts: str
) -> int:
    """Send a batch in one pipeline round trip; returns how many of them were facts."""
    pipe = redis.pipeline(transaction=False)
    proposal = secrets.token_hex(6)
    for out in batch:
        if out.template is None:
            pipe.publish(facts, f"{node}\n{out.fact_text}")
            continue
        pipe.eval(
            SEQUENCE_AND_PUBLISH,
            3,
            seq_key(prefix, out.channel),
            f"{prefix}:gen",
            push,
            out.template.head,
            out.template.rest,
            out.channel,
            proposal,
        )
    await pipe.execute()
    return sum(1 for out in batch if out.template is None)


async def cluster_state(redis: Redis, prefix: str) -> tuple[str, dict[str, int]]:
    """The cluster's generation (created if none) and every channel's last seq."""
    gen_key = f"{prefix}:gen"
    await redis.set(gen_key, secrets.token_hex(6), nx=True)
    generation = text_of(await redis.get(gen_key))
    pattern = seq_key(prefix, "*")
    keys = [text_of(k) async for k in redis.scan_iter(match=pattern, count=500)]
    values = await redis.mget(keys) if keys else []
    start = len(seq_key(prefix, ""))
    seqs = {k[start:]: int(v) for k, v in zip(keys, values, strict=True) if v is not None}
    return generation, seqs


def parse_push(wire: str) -> tuple[str, int, str, str] | None:
    """(hub channel, seq, generation, message text) of a push message; None when malformed."""
    try:
        channel, seq_text, generation, text = wire.split("\n", 3)
        return channel, int(seq_text), generation, text
    except ValueError:
        return None


def text_of(value: Any) -> str:
    """A Redis reply as text."""
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)
