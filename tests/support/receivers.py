"""Real HTTP webhook receivers on loopback (asyncio sockets, HTTP/1.1 keep-alive).

`mode` decides each answer: "ok" (200), "fail" (500), "hang" (never answers), or a list of
statuses consumed one per request (then 200). Every request is kept in `received`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from callcenter.domain.calls.facts import CallAnswered, CallEnded, Fact, RingStarted
from callcenter.domain.calls.records import CallRecord
from callcenter.domain.webhooks import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, verify


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    status: int | None

    @property
    def json(self) -> dict[str, Any]:
        return dict(json.loads(self.body))

    @property
    def delivery(self) -> str:
        return self.headers[DELIVERY_HEADER.lower()]

    @property
    def event(self) -> str:
        return self.headers[EVENT_HEADER.lower()]

    def signed_by(self, secret: str) -> bool:
        return verify(secret, self.headers[SIGNATURE_HEADER.lower()], self.body, time.time())


class Receiver:
    """A webhook subscriber; `url` once started. Stop and start again on the same port."""

    def __init__(self, mode: str | list[int] = "ok", delay_s: float = 0.0) -> None:
        self.mode = mode
        self.delay_s = delay_s
        self.received: list[Received] = []
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    async def start(self) -> Receiver:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        """Close the listening socket and every open connection (an outage)."""
        if self._server is not None:
            self._server.close()
            for writer in list(self._writers):
                writer.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
            self._server = None

    def ok(self, secret: str) -> list[Received]:
        """Requests answered 200 and correctly signed, first delivery of each id only."""
        seen: set[str] = set()
        out = []
        for item in self.received:
            if item.status == 200 and item.signed_by(secret) and item.delivery not in seen:
                seen.add(item.delivery)
                out.append(item)
        return out

    def _status(self) -> int | None:
        if isinstance(self.mode, list):
            return self.mode.pop(0) if self.mode else 200
        return {"ok": 200, "fail": 500, "hang": None}[self.mode]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        key, value = line.split(":", 1)
                        headers[key.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                status = self._status()
                self.received.append(Received(headers, body, status))
                if status is None:
                    await asyncio.sleep(3600)  # hang: the sender's timeout must give up
                if self.delay_s:
                    await asyncio.sleep(self.delay_s)
                writer.write(
                    f"HTTP/1.1 {status} X\r\ncontent-length: 2\r\n\r\nok".encode("latin-1")
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()


def call_facts(n: int, queue: str = "q-orders") -> list[Fact]:
    """n calls, each ringing, answered and ended (linkedid c0000, c0001, ...)."""
    facts: list[Fact] = []
    base = time.time()
    for i in range(n):
        at, lid = base + i, f"c{i:04d}"
        facts.append(RingStarted("pbx1", at, lid, "Wang", "PJSIP/1001", queue, "+861380", None,
                                 2.0, ()))  # fmt: skip
        facts.append(CallAnswered("pbx1", at + 1, lid, "Wang", "PJSIP/1001", queue, 3.0))
        record = CallRecord(
            pbx="pbx1", linkedid=lid, direction="inbound", caller="+861380", caller_name=None,
            queues=(queue,), agent="Wang", outcome="answered", wait_s=3.0, talk_s=30.0,
            ring_attempts=1, transferred=False, started_at=datetime.fromtimestamp(at, UTC),
            ended_at=datetime.fromtimestamp(at + 31, UTC),
        )  # fmt: skip
        facts.append(CallEnded("pbx1", at + 31, lid, record, None, None))
    return facts
