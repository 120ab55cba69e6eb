"""Ingest speed: parse + translate + state machine (+ storing calls) vs panoramisk's bare parse.

Usage: python bench/ingest.py [--events N]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import tempfile
import time
from pathlib import Path

from panoramisk.message import Message

from callcenter.adapters.ami.pipeline import AmiPipeline

TRACES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "ami-traces"
SOURCES = (
    "concurrent_burst",
    "queue_timeout_overflow",
    "transfer_to_other_queue",
    "anonymous_caller",
)
_IDS = re.compile(rb"(\d{10})\.(\d+)")
_CHANNELS = re.compile(rb"-([0-9a-f]{8});")


def body(name: str) -> bytes:
    """A trace's frames after the login exchange (no banner, no Logoff)."""
    data = (TRACES / f"{name}.ami").read_bytes()
    frames = data.split(b"\r\n\r\n")
    keep = [f for f in frames if f.startswith(b"Event: ") and b"Event: FullyBooted" not in f]
    return b"\r\n\r\n".join(keep) + b"\r\n\r\n"


def synthetic(events: int) -> tuple[bytes, int]:
    """The traces repeated with fresh Uniqueids, Linkedids and channel names, `events` long."""
    parts = [b"Asterisk Call Manager/13.0.0\r\n"]
    total, round_no = 0, 0
    bodies = [body(n) for n in SOURCES]
    while total < events:
        for chunk in bodies:
            offset = round_no * 100000
            chunk = _IDS.sub(lambda m, o=offset: b"%d.%d" % (int(m[1]) + o, int(m[2])), chunk)
            chunk = _CHANNELS.sub(lambda m, o=offset: b"-%08x;" % (int(m[1], 16) + o), chunk)
            parts.append(chunk)
            total += chunk.count(b"\r\n\r\n")
            round_no += 1
    return b"".join(parts), total


def ingest(data: bytes) -> tuple[float, int]:
    pipeline = AmiPipeline(pbx="bench")
    start = time.perf_counter()
    pipeline.feed_bytes(data, chunk_size=65536)
    facts = pipeline.drain()
    elapsed = time.perf_counter() - start
    return elapsed, len(facts)


async def ingest_and_store(data: bytes, url: str) -> tuple[float, int]:
    """Parse + translate + state machine, every finished call stored (timed until all are)."""
    from callcenter.adapters.db.migrate import upgrade
    from callcenter.bootstrap import call_store, database
    from callcenter.domain.calls.facts import CallEnded, Fact
    from callcenter.settings import Settings

    await upgrade(url)
    db = database(url)
    store = call_store(Settings(database_url=url), db, capacity=1_000_000)
    store.start()

    def on_fact(fact: Fact) -> None:
        if isinstance(fact, CallEnded):
            store.submit(fact.record)

    pipeline = AmiPipeline(pbx="bench", on_fact=on_fact)
    start = time.perf_counter()
    pipeline.feed_bytes(data, chunk_size=65536)
    await store.flushed(600)
    elapsed = time.perf_counter() - start
    await store.aclose()
    await db.aclose()
    return elapsed, store.stored


def bare(data: bytes) -> float:
    start = time.perf_counter()
    text = data.decode("utf-8", "ignore")
    for frame in text.split("\r\n\r\n"):
        Message.from_line(frame.strip())
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument(
        "--database-url",
        default=None,
        help="where the stored-calls run writes (default: a temporary SQLite file)",
    )
    args = parser.parse_args()
    data, events = synthetic(args.events)
    ingest_s, facts = min(ingest(data) for _ in range(3))
    bare_s = min(bare(data) for _ in range(3))
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'ingest.db'}"
        stored_s, stored = asyncio.run(ingest_and_store(data, url))
    print(f"events={events} bytes={len(data)} facts={facts} calls_stored={stored}")
    ingest_rate, bare_rate = events / ingest_s, events / bare_s
    print(
        f"ingest_events_per_s={ingest_rate:.0f} bare_parse_events_per_s={bare_rate:.0f} "
        f"ratio={ingest_rate / bare_rate:.2f} with_storing_events_per_s={events / stored_s:.0f}"
    )


if __name__ == "__main__":
    main()
