"""Replay a recorded .ami trace to every logged-in client, at its own pace or scaled."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)
SESSION_ONLY = (b"Event: FullyBooted\r\n", b"Event: SuccessfulAuth\r\n")


class RawSink(Protocol):
    """Where replayed bytes go (the simulated Asterisk's broadcast)."""

    def emit_raw(self, data: bytes) -> None: ...


@dataclass(frozen=True)
class RecordedMessage:
    """One message of a trace: its exact bytes and seconds since the recorder connected."""

    t: float
    data: bytes


def split_messages(raw: bytes) -> tuple[bytes, list[bytes]]:
    """The banner line and every message (each ending in its blank CRLF line)."""
    banner, sep, rest = raw.partition(b"\r\n")
    if not sep or not banner.startswith(b"Asterisk Call Manager/"):
        raise ValueError("not an AMI trace: it must start with the 'Asterisk Call Manager/' banner")
    chunks = rest.split(b"\r\n\r\n")
    if chunks and chunks[-1].strip():
        raise ValueError("trace ends in the middle of a message")
    return banner + sep, [c + b"\r\n\r\n" for c in chunks[:-1]]


def load_trace(path: Path) -> list[RecordedMessage]:
    """Messages of a .ami file, timed by its .jsonl twin when there is one (else all at t=0)."""
    _, messages = split_messages(path.read_bytes())
    times = [0.0] * len(messages)
    twin = path.with_suffix(".jsonl")
    if twin.exists():
        stamps = [
            float(obj["t"])
            for obj in map(json.loads, twin.read_text(encoding="utf-8").splitlines())
            if "msg" in obj
        ]
        if len(stamps) == len(messages):
            times = stamps
        else:
            log.warning(
                "%s: %d timings for %d messages; replaying untimed",
                twin,
                len(stamps),
                len(messages),
            )
    return [RecordedMessage(t, m) for t, m in zip(times, messages, strict=True)]


def replayable(msg: RecordedMessage) -> bool:
    """Events only: the recorder's own responses, list items and login events are not ours."""
    head = msg.data
    if head.startswith(b"Response:") or b"\r\nActionID:" in head or head.startswith(b"ActionID:"):
        return False
    return not head.startswith(SESSION_ONLY)


async def replay(
    sink: RawSink, path: Path, *, speed: float = 1.0, start_delay_s: float = 0.0
) -> int:
    """Send the trace's events to every client; speed 2 is twice as fast, 0 is no waiting."""
    messages = [m for m in load_trace(path) if replayable(m)]
    if not messages:
        return 0
    if start_delay_s > 0:
        await asyncio.sleep(start_delay_s)
    loop = asyncio.get_running_loop()
    began = loop.time()
    first = messages[0].t
    for msg in messages:
        if speed > 0:
            delay = began + (msg.t - first) / speed - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
        sink.emit_raw(msg.data)
    return len(messages)
