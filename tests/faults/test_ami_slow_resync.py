"""A restarted Asterisk slow to answer its first QueueStatus: the listener waits, no reconnect."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from callcenter.adapters.ami.listener import AmiListener
from callcenter.adapters.ami.protocol import CallCenterAMIProtocol
from callcenter.settings import AmiServer

ACTION_TIMEOUT_S = 0.5  # pings and logins
SLOW_ANSWER_S = 1.5  # three action timeouts: app_queue still loading
RESYNC_TIMEOUT_S = 5.0


class SlowQueueStatusAsterisk:
    """An AMI server on loopback: Login answered at once, the first QueueStatus only late.

    Counts connections and logins, as Asterisk's own `manager show connected` would show them.
    """

    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s
        self.connections = 0
        self.queue_status_asked = 0
        self.pings = 0
        self._server: asyncio.Server | None = None

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        writer.write(b"Asterisk Call Manager/9.0.0\r\n")
        try:
            while True:
                frame = await reader.readuntil(b"\r\n\r\n")
                action = dict(
                    line.split(": ", 1) for line in frame.decode().split("\r\n") if ": " in line
                )
                await self._answer(action, writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def _answer(self, action: dict[str, str], writer: asyncio.StreamWriter) -> None:
        name, action_id = action.get("Action", ""), action.get("ActionID", "")
        head = f"Response: Success\r\nActionID: {action_id}\r\n"
        if name == "QueueStatus":
            self.queue_status_asked += 1
            if self.queue_status_asked == 1:
                await asyncio.sleep(self.delay_s)
            writer.write(
                f"{head}EventList: start\r\nMessage: Queue status will follow\r\n\r\n"
                f"Event: QueueParams\r\nActionID: {action_id}\r\nQueue: member-hotline\r\n"
                f"Max: 0\r\nCalls: 0\r\n\r\n"
                f"Event: QueueStatusComplete\r\nActionID: {action_id}\r\n"
                f"EventList: Complete\r\nListItems: 1\r\n\r\n".encode()
            )
        elif name == "CoreShowChannels":
            writer.write(
                f"{head}EventList: start\r\nMessage: Channels will follow\r\n\r\n"
                f"Event: CoreShowChannelsComplete\r\nActionID: {action_id}\r\n"
                f"EventList: Complete\r\nListItems: 0\r\n\r\n".encode()
            )
        elif name == "Login":
            writer.write(f"{head}Message: Authentication accepted\r\n\r\n".encode())
        elif name == "Ping":
            self.pings += 1
            writer.write(f"{head}Ping: Pong\r\n\r\n".encode())
        else:
            writer.write(f"{head}\r\n".encode())
        await writer.drain()


class ResyncSink:
    def __init__(self) -> None:
        self.resyncs: list[Sequence[Mapping[str, Any]]] = []
        self.connection_changes: list[bool] = []

    def handle(self, message: Mapping[str, Any], *, pbx: str, at: float) -> None:
        pass

    def resync(self, messages: Sequence[Mapping[str, Any]], *, pbx: str, at: float) -> None:
        self.resyncs.append(messages)

    def connection_changed(self, *, pbx: str, connected: bool, at: float) -> None:
        self.connection_changes.append(connected)


def listener_for(port: int, sink: ResyncSink, **timeouts: float) -> AmiListener:
    return AmiListener(
        server=AmiServer(name="pbx1", port=port, secret="s3cret"),  # type: ignore[arg-type]
        sink=sink,
        protocol_factory=CallCenterAMIProtocol,
        reconnect_min_s=0.05,
        ping_interval_s=0.2,
        action_timeout_s=ACTION_TIMEOUT_S,
        **timeouts,
    )


async def test_a_slow_first_queue_status_is_waited_for_without_reconnecting() -> None:
    """Figure: QueueStatus answered after 1.5 s, actions time out after 0.5 s, the resync after
    5 s -> one connection, one login, the resync handed over with the queue Asterisk sent, and
    the session still up (pinged) a while later."""
    pbx = SlowQueueStatusAsterisk(SLOW_ANSWER_S)
    port = await pbx.start()
    sink = ResyncSink()
    listener = listener_for(port, sink, resync_timeout_s=RESYNC_TIMEOUT_S)
    try:
        await listener.start()
        async with asyncio.timeout(RESYNC_TIMEOUT_S + 2):
            while not sink.resyncs:
                await asyncio.sleep(0.02)
        await asyncio.sleep(4 * ACTION_TIMEOUT_S)  # pings go on answered on the short timeout
        assert pbx.connections == 1 and listener.connects == 1
        assert pbx.queue_status_asked == 1 and pbx.pings >= 2
        assert listener.connected and sink.connection_changes == [True]
        [messages] = sink.resyncs
        assert [m.get("Queue") for m in messages if m.get("Event") == "QueueParams"] == [
            "member-hotline"
        ]
    finally:
        await listener.stop()
        await pbx.stop()


async def test_the_resync_waits_its_own_timeout_not_the_action_timeout() -> None:
    """The counter-figure: given only the action timeout for its resync (0.5 s), the same slow
    Asterisk is hung up on and reconnected to, which is what a restart looked like before."""
    pbx = SlowQueueStatusAsterisk(SLOW_ANSWER_S)
    port = await pbx.start()
    sink = ResyncSink()
    listener = listener_for(port, sink, resync_timeout_s=ACTION_TIMEOUT_S)
    try:
        await listener.start()
        async with asyncio.timeout(SLOW_ANSWER_S + 3):
            while not sink.resyncs:
                await asyncio.sleep(0.02)
        assert pbx.connections >= 2 and listener.connects >= 2
    finally:
        await listener.stop()
        await pbx.stop()


class DiesDuringResyncAsterisk(SlowQueueStatusAsterisk):
    """Logs in, then closes the socket when asked QueueStatus, answering nothing: a PBX that
    went down right after the listener connected."""

    async def _answer(self, action: dict[str, str], writer: asyncio.StreamWriter) -> None:
        if action.get("Action") == "QueueStatus":
            self.queue_status_asked += 1
            writer.close()
            raise ConnectionError("gone")
        await super()._answer(action, writer)


async def test_asterisk_gone_during_the_resync_is_seen_at_once_not_after_its_timeout() -> None:
    """Figure: resync timeout 30 s, the PBX closes the socket on QueueStatus -> within 2 s the
    listener says 'not connected' (commands get a 503, not a 30 s hang) and has reconnected at
    least once; it never handed over a resync it did not get."""
    pbx = DiesDuringResyncAsterisk(0.0)
    port = await pbx.start()
    sink = ResyncSink()
    listener = listener_for(port, sink, resync_timeout_s=30.0)
    try:
        await listener.start()
        async with asyncio.timeout(2.0):
            while pbx.queue_status_asked < 2:
                await asyncio.sleep(0.01)
        assert sink.resyncs == []
        assert sink.connection_changes[:2] == [True, False]
        assert pbx.connections >= 2
    finally:
        await listener.stop()
        await pbx.stop()
