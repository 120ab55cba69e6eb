"""What users see: desktops (websocket), REST calls, stored call records; Asterisk's queue_log."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from lab import Lab
from sqlalchemy.ext.asyncio import create_async_engine
from websockets.asyncio.client import ClientConnection, connect

Message = dict[str, Any]


class Desk:
    """One agent's desktop: the /ws/agent stream, with its real agent token."""

    def __init__(self, lab: Lab, code: str) -> None:
        self.code = code
        self.lab = lab
        self.messages: list[Message] = []
        self._ws: ClientConnection | None = None
        self._task: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()

    async def open(self) -> None:
        self._ws = await connect(self.lab.ws_url)
        await self._ws.send(json.dumps({"type": "hello", "token": self.lab.tokens[self.code]}))
        self._task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self._ws is not None
        with contextlib.suppress(Exception):
            async for text in self._ws:
                self.messages.append(json.loads(text))
                self._changed.set()

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)

    async def wait_for(self, match: Callable[[Message], bool], timeout: float = 30) -> Message:
        try:
            async with asyncio.timeout(timeout):
                while True:
                    for msg in self.messages:
                        if match(msg):
                            return msg
                    self._changed.clear()
                    await self._changed.wait()
        except TimeoutError:
            seen = [(m.get("type"), m.get("state")) for m in self.messages]
            raise AssertionError(
                f"desktop {self.code}: nothing matched in {timeout}s; got {seen}"
            ) from None

    def about(self, linkedid: str, kind: str) -> list[Message]:
        """This desktop's messages of one type that mention the call."""
        return [m for m in self.messages if m.get("type") == kind and linkedid in json.dumps(m)]


class Rest:
    """The REST API with the admin token (agents act through it as a supervisor would)."""

    def __init__(self, lab: Lab) -> None:
        self.client = httpx.AsyncClient(
            base_url=lab.url(""),
            headers={"Authorization": f"Bearer {lab.tokens['admin']}"},
            timeout=20,
        )

    async def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        r = await self.client.post(path, json=body)
        assert r.status_code < 300, f"POST {path} -> {r.status_code} {r.text}"
        return r.json()

    async def get(self, path: str, **params: str) -> Any:
        r = await self.client.get(path, params=params)
        assert r.status_code < 300, f"GET {path} -> {r.status_code} {r.text}"
        return r.json()

    async def customer_id(self, number: str) -> int:
        found = await self.get("/api/callers/lookup", number=number)
        assert found["status"] == "matched", found
        return int(found["candidates"][0]["customer_id"])

    async def close(self) -> None:
        await self.client.aclose()


async def stored_record(lab: Lab, linkedid: str, timeout: float = 30) -> dict[str, Any]:
    """The call record the backend stored for this call (waits for it to be written)."""
    engine = create_async_engine(lab.database_url)
    try:
        deadline = time.monotonic() + timeout
        while True:
            async with engine.connect() as conn:
                row = (
                    (
                        await conn.execute(
                            sa.text("SELECT * FROM call_records WHERE linkedid = :l"),
                            {"l": linkedid},
                        )
                    )
                    .mappings()
                    .first()
                )
            if row is not None:
                return {k: _json(v) for k, v in row.items()}
            if time.monotonic() > deadline:
                raise AssertionError(f"no call record for {linkedid} after {timeout}s")
            await asyncio.sleep(0.3)
    finally:
        await engine.dispose()


def _json(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "[{":
        with contextlib.suppress(ValueError):
            return json.loads(value)
    return value


@dataclass
class QueueLogCall:
    """One call as app_queue's own queue_log tells it."""

    queues: list[str]
    agent: str | None
    outcome: str
    transferred: bool
    events: list[str]


def queue_log_call(path: Path, callids: set[str]) -> QueueLogCall:
    """The call's lines in the queue_log (`time|callid|queue|agent|event|data...`).

    `callids` are all the call's channels: an attended transfer's consultation leg queues under
    its own Uniqueid.
    """
    lines = [
        line.split("|")
        for line in path.read_text("utf-8").splitlines()
        if line.split("|")[1:2] and line.split("|")[1] in callids
    ]
    queues: list[str] = []
    agent, outcome, transferred = None, "timeout", False
    for _, _, queue, member, event, *_ in lines:
        if event == "ENTERQUEUE" and queue not in queues:
            queues.append(queue)
        elif event == "CONNECT":
            agent, outcome = member, "answered"
        elif event in ("BLINDTRANSFER", "ATTENDEDTRANSFER"):
            transferred = True
        elif event == "ABANDON" and outcome != "answered":
            outcome = "abandoned"
        elif event == "WITHDRAW" or (event == "EXITWITHKEY" and outcome != "answered"):
            outcome = "callback_requested"  # withdrawn, or pressed 1 ([cc-queue-exit])
    return QueueLogCall(queues, agent, outcome, transferred, [ln[4] for ln in lines])


def assert_agrees_with_queue_log(record: dict[str, Any], logged: QueueLogCall) -> None:
    """Stored record and queue_log agree on queues, answering agent, outcome, transfer."""
    facts = {k: record.get(k) for k in ("queues", "agent", "outcome", "transferred")}
    told = {
        "queues": logged.queues,
        "agent": logged.agent,
        "outcome": logged.outcome,
        "transferred": logged.transferred,
    }
    assert facts["queues"] == told["queues"], (facts, told, logged.events)
    assert facts["agent"] == told["agent"], (facts, told, logged.events)
    assert facts["outcome"] == told["outcome"], (facts, told, logged.events)
    if told["transferred"]:
        assert facts["transferred"], (facts, told, logged.events)


async def withdraw_after(driver: Any, linkedid: str, seconds: float) -> dict[str, str]:
    """Once the call joins its queue and has waited `seconds`, take the caller out of it for a
    callback (QueueWithdrawCaller, as a supervisor's tool would); the join event."""
    join: dict[str, str] = await driver.wait_event(
        lambda e: e.get("Event") == "QueueCallerJoin" and e.get("Linkedid") == linkedid
    )
    await asyncio.sleep(seconds)
    reply = await driver.send(
        "QueueWithdrawCaller",
        Queue=join["Queue"],
        Caller=join["Channel"],
        WithdrawInfo="callback-requested",
    )
    assert reply.get("Response") == "Success", reply
    return join
