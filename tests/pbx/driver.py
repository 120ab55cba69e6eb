"""The test driver's own AMI session: places callers, reads every event, acts as phones would."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Callable
from functools import partial
from typing import Any

Msg = dict[str, str]


class Driver:
    """A plain AMI client (no panoramisk: the suite must not share the backend's AMI code)."""

    def __init__(self) -> None:
        self.events: list[Msg] = []
        self._replies: dict[str, asyncio.Future[Msg]] = {}
        self._ids = itertools.count(1)
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()

    async def connect(self, port: int, username: str, secret: str) -> None:
        self._reader, self._writer = await asyncio.open_connection("127.0.0.1", port)
        await self._reader.readline()  # banner
        self._task = asyncio.create_task(self._read())
        reply = await self.send("Login", Username=username, Secret=secret)
        if reply.get("Response") != "Success":
            raise RuntimeError(f"driver login refused: {reply}")

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.send("Logoff"), 2)
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._writer is not None:
            self._writer.close()

    async def _read(self) -> None:
        assert self._reader is not None
        msg: Msg = {}
        while True:
            line = await self._reader.readline()
            if not line:
                return
            text = line.decode("utf-8", "replace").rstrip("\r\n")
            if text:
                key, _, value = text.partition(":")
                msg[key.strip()] = value.strip()
                continue
            if not msg:
                continue
            action_id = msg.get("ActionID", "")
            if "Response" in msg and action_id in self._replies:
                self._replies.pop(action_id).set_result(msg)
            elif "Event" in msg:
                self.events.append(msg)
                self._changed.set()
            msg = {}

    async def send(self, action: str, **fields: Any) -> Msg:
        """Send an action and wait for its Response (not for list events)."""
        assert self._writer is not None
        action_id = f"drv-{next(self._ids)}"
        future: asyncio.Future[Msg] = asyncio.get_running_loop().create_future()
        self._replies[action_id] = future
        lines = [f"Action: {action}", f"ActionID: {action_id}"]
        for key, value in fields.items():
            for item in value if isinstance(value, list) else [value]:
                lines.append(f"{key}: {item}")
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        await self._writer.drain()
        return await asyncio.wait_for(future, 15)

    async def wait_event(
        self, match: Callable[[Msg], bool], timeout: float = 30, start: int = 0
    ) -> Msg:
        """The first event (from index `start`) that matches; waits for it to come."""
        async with asyncio.timeout(timeout):
            seen = start
            while True:
                for event in self.events[seen:]:
                    if match(event):
                        return event
                seen = len(self.events)
                self._changed.clear()
                await self._changed.wait()

    async def db(self, key: str, value: str | int | None) -> None:
        """Set (or, with None, delete) one AstDB setting the lab's phones read."""
        if value is None:
            await self.send("DBDel", Family="cctest", Key=key)
        else:
            reply = await self.send("DBPut", Family="cctest", Key=key, Val=str(value))
            assert reply.get("Response") == "Success", reply

    async def call(
        self,
        exten: str,
        *,
        caller: str,
        name: str = "",
        context: str = "from-trunk",
        hold: int = 120,
        phones: dict[str, tuple[int, int]] | None = None,
    ) -> str:
        """A customer calls `exten`; returns the customer channel's Uniqueid (the call's linkedid).

        `phones` maps an agent code to (ring s, talk s) for this call's legs (inherited `__` vars).
        """
        start = len(self.events)
        cid = f'"{name}" <{caller}>' if name else f"<{caller}>"
        vars_ = [f"CALLER_HOLD={hold}"]
        for code, (ring, talk) in (phones or {}).items():
            vars_ += [f"__AGR_{code}={ring}", f"__AGT_{code}={talk}"]
        reply = await self.send(
            "Originate",
            Channel="Local/s@test-caller/n",
            Context=context,
            Exten=exten,
            Priority="1",
            CallerID=cid,
            Timeout="10000",
            Variable=vars_,
            Async="true",
        )
        assert reply.get("Response") == "Success", reply
        event = await self.wait_event(
            lambda e: (
                e.get("Event") == "Newchannel"
                and e.get("Channel", "").startswith("Local/s@test-caller-")
                and e.get("Channel", "").endswith(";1")
            ),
            start=start,
        )
        return event["Uniqueid"]

    async def hang_up_everything(self, timeout: float = 15) -> None:
        """End every channel left over (a failed test must not leave its calls to the next)."""
        await self.send("Hangup", Channel="/.*/")
        async with asyncio.timeout(timeout):
            while True:
                listed = (await self.send("CoreShowChannels")).get("ActionID")
                done = await self.wait_event(partial(_listing_done, listed))
                if done.get("ListItems") == "0":
                    return
                await asyncio.sleep(0.5)

    def uniqueids(self, linkedid: str) -> set[str]:
        """Every channel of the call seen so far."""
        return {
            e["Uniqueid"] for e in self.events if e.get("Linkedid") == linkedid and "Uniqueid" in e
        }

    def channel_of(self, uniqueid: str) -> str:
        """The channel name of a Uniqueid seen in the events."""
        for event in self.events:
            if event.get("Uniqueid") == uniqueid and event.get("Channel"):
                return event["Channel"]
        raise LookupError(uniqueid)

    async def hung_up(self, uniqueid: str, timeout: float = 60) -> None:
        await self.wait_event(
            lambda e: e.get("Event") == "Hangup" and e.get("Uniqueid") == uniqueid, timeout
        )

    async def call_over(self, linkedid: str, timeout: float = 90) -> None:
        """Every channel of the call is gone (each Newchannel of the linkedid has its Hangup)."""
        async with asyncio.timeout(timeout):
            while True:
                opened = {
                    e["Uniqueid"]
                    for e in self.events
                    if e.get("Event") == "Newchannel" and e.get("Linkedid") == linkedid
                }
                closed = {
                    e["Uniqueid"]
                    for e in self.events
                    if e.get("Event") == "Hangup" and e.get("Linkedid") == linkedid
                }
                if opened and opened <= closed:
                    return
                self._changed.clear()
                await self._changed.wait()


def _listing_done(action_id: str | None, event: Msg) -> bool:
    return event.get("Event") == "CoreShowChannelsComplete" and event.get("ActionID") == action_id
