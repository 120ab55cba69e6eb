"""Push hub: ordered seq per channel, replay on reconnect, resync, slow clients cut off, revocation.

The websocket tests run the hub behind a real uvicorn server on a free loopback port with real
websocket clients; the route is the thin loop the API will use.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from callcenter.adapters.push.hub import PushHub
from callcenter.adapters.push.protocol import (
    ProtocolError,
    agent_channel,
    close_code,
    decode,
    encode,
    parse_since,
)
from callcenter.settings import load_settings

STEP = 10.0  # generous bound on any single wait so a broken hub fails instead of hanging


def make_app(hub: PushHub) -> Starlette:
    async def endpoint(ws: WebSocket) -> None:
        await ws.accept()
        try:
            since = parse_since(ws.query_params.get("since"))
        except ProtocolError as exc:
            await ws.close(code=1008, reason=str(exc)[:120])
            return
        token = ws.query_params.get("token")
        with hub.subscribe(
            ws.path_params["channel"],
            since=since,
            generation=ws.query_params.get("gen"),
            token_id=int(token) if token else None,
        ) as sub:
            try:
                async for message in sub:
                    await ws.send_text(message)
                await ws.close(code=close_code(sub.close_reason))
            except (WebSocketDisconnect, OSError, RuntimeError):
                return  # the client went away first

    return Starlette(routes=[WebSocketRoute("/ws/{channel}", endpoint)])


@asynccontextmanager
async def serving(hub: PushHub) -> AsyncIterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # small send buffers (inherited by accepted sockets) so a stalled reader backs up quickly
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8192)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        make_app(hub), lifespan="off", log_level="warning", timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    await until(lambda: server.started)
    try:
        yield f"ws://127.0.0.1:{port}/ws"
    finally:
        hub.close()
        server.should_exit = True
        await asyncio.wait_for(task, STEP)


async def until(condition: Callable[[], bool]) -> None:
    async def poll() -> None:
        # the conditions live in uvicorn and the hub, which offer no event to wait on
        while not condition():
            await asyncio.sleep(0.005)

    await asyncio.wait_for(poll(), STEP)


async def receive(client: ClientConnection, count: int) -> list[dict[str, Any]]:
    return [decode(await asyncio.wait_for(client.recv(), STEP)) for _ in range(count)]


@asynccontextmanager
async def client(url: str, **kwargs: Any) -> AsyncIterator[ClientConnection]:
    async with connect(url, compression=None, open_timeout=STEP, **kwargs) as conn:
        yield conn


# --- in-process behaviour -------------------------------------------------------------------


def test_envelope_and_parameters() -> None:
    payload = {
        "caller": "李伟",
        "total": Decimal("9.90"),
        "at": date(2026, 11, 20),
        "tags": {"vip"},
    }
    text = encode("screen_pop", 3, "g1", payload)
    assert json.loads(text) == {
        "type": "screen_pop",
        "seq": 3,
        "gen": "g1",
        "caller": "李伟",
        "total": "9.90",
        "at": "2026-11-20",
        "tags": ["vip"],
    }
    assert "李伟" in text  # UTF-8 kept, not \u-escaped
    with pytest.raises(ProtocolError, match="reserved keys: seq"):
        encode("x", 1, "g", {"seq": 9})
    for bad in ("not json", "[1]", '{"seq": 1}', '{"type": "x", "seq": -1}', '{"type":"x"}'):
        with pytest.raises(ProtocolError):
            decode(bad)
    assert parse_since(None) is None
    assert parse_since("") is None
    assert parse_since(" 42 ") == 42
    for bad in ("-1", "1.5", "abc", "٣"):
        with pytest.raises(ProtocolError):
            parse_since(bad)
    assert agent_channel("1001") == "agent:1001"
    with pytest.raises(ProtocolError):
        agent_channel("")
    assert close_code("too_slow") == 1013
    assert close_code("revoked") == 1008


def test_hub_is_sized_from_settings() -> None:
    hub = PushHub.from_settings(load_settings(ws_backlog=42, ws_queue_size=7))
    assert (hub.backlog_size, hub.queue_size) == (42, 7)
    assert PushHub.from_settings(load_settings()).backlog_size == 500
    with pytest.raises(ValueError, match="at least 1"):
        PushHub(backlog=0)


async def test_bad_payload_is_refused_and_uses_no_seq() -> None:
    hub = PushHub(generation="g")
    assert hub.publish("wallboard", "wallboard", {"groups": []}) == 1
    with pytest.raises(ProtocolError):
        hub.publish("wallboard", "wallboard", {"type": "sneaky"})
    with pytest.raises(TypeError):
        hub.publish("wallboard", "wallboard", {"obj": object()})
    assert hub.publish("wallboard", "wallboard", {"groups": []}) == 2
    with pytest.raises(ProtocolError):
        hub.subscribe("wallboard", since=-1)


async def test_replay_resync_and_seq_per_channel_in_process() -> None:
    hub = PushHub(backlog=3, generation="g")
    for n in range(5):
        hub.publish("agent:1001", "call_update", {"n": n})
    hub.publish("agent:1002", "call_update", {"n": 0})
    assert (hub.current_seq("agent:1001"), hub.current_seq("agent:1002")) == (5, 1)

    async def first(sub: Any) -> dict[str, Any]:
        return decode(await asyncio.wait_for(sub.__anext__(), STEP))

    # backlog holds 3..5: since=2 is still exact, since=1 is not
    exact = hub.subscribe("agent:1001", since=2)
    assert [(await first(exact))["seq"] for _ in range(3)] == [3, 4, 5]
    for since, gen in ((1, None), (6, None), (5, "other-generation")):
        message = await first(hub.subscribe("agent:1001", since=since, generation=gen))
        assert (message["type"], message["seq"]) == ("resync", 5)
    current = hub.subscribe("agent:1001", since=5, generation="g")
    hub.publish("agent:1001", "call_update", {"n": 5})
    assert (await first(current))["seq"] == 6
    assert hub.stats.resyncs == 3


async def test_full_queue_cuts_off_only_that_subscriber() -> None:
    hub = PushHub(queue_size=2, generation="g")
    slow = hub.subscribe("wallboard")
    fast = hub.subscribe("wallboard")
    got: list[int] = []
    for _ in range(5):
        hub.publish("wallboard", "wallboard", {})  # never awaits, whoever is listening
        got.extend([decode(await fast.__anext__())["seq"]])
    assert got == [1, 2, 3, 4, 5]
    assert slow.close_reason == "too_slow"
    assert [m async for m in slow] == []  # unsent messages dropped: it will reconnect with since
    assert hub.stats.cut_off == 1
    assert hub.subscriber_count("wallboard") == 1


async def test_disconnect_by_predicate_and_close_channel() -> None:
    hub = PushHub(generation="g")
    revoked = hub.subscribe("agent:1001", token_id=7)
    other = hub.subscribe("agent:1002", token_id=8)
    wall = hub.subscribe("wallboard", token_id=9)
    hub.publish("agent:1001", "agent_state", {"state": "ringing"})
    assert hub.disconnect(lambda sub: sub.token_id == 7) == 1
    assert revoked.close_reason == "revoked"
    assert [m async for m in revoked] == []  # nothing more is delivered after revocation
    assert hub.close_channel("wallboard") == 1
    assert wall.close_reason == "closed"
    assert not other.closed
    other.close()
    other.close()  # closing twice is harmless
    assert hub.subscriber_count() == 0


# --- over real websockets -------------------------------------------------------------------


async def test_clients_get_their_channel_in_order() -> None:
    hub = PushHub()
    async with (
        serving(hub) as base,
        client(f"{base}/agent:1001") as a1,
        client(f"{base}/agent:1001") as a2,
        client(f"{base}/wallboard") as wb,
    ):
        await until(lambda: hub.subscriber_count() == 3)
        for n in range(30):
            hub.publish("agent:1001", "screen_pop", {"n": n, "caller_name": "刘德明"})
            if n % 3 == 0:
                hub.publish("wallboard", "wallboard", {"groups": [], "agents": []})
        for conn in (a1, a2):
            messages = await receive(conn, 30)
            assert [m["seq"] for m in messages] == list(range(1, 31))
            assert [m["n"] for m in messages] == list(range(30))
            assert {m["caller_name"] for m in messages} == {"刘德明"}
            assert {m["gen"] for m in messages} == {hub.generation}
        board = await receive(wb, 10)
        assert [m["seq"] for m in board] == list(range(1, 11))
        assert {m["type"] for m in board} == {"wallboard"}


async def test_reconnect_with_since_loses_nothing() -> None:
    hub = PushHub()
    async with serving(hub) as base:
        async with client(f"{base}/agent:1001") as conn:
            await until(lambda: hub.subscriber_count() == 1)
            for n in range(5):
                hub.publish("agent:1001", "call_update", {"n": n})
            seen = await receive(conn, 5)
        for n in range(5, 10):
            hub.publish("agent:1001", "call_update", {"n": n})  # while the desktop is away
        last = seen[-1]["seq"]
        async with client(f"{base}/agent:1001?since={last}&gen={hub.generation}") as conn:
            # no wait needed: whatever is published before the subscription exists is replayed
            hub.publish("agent:1001", "call_update", {"n": 10})
            missed = await receive(conn, 5)
            live = await receive(conn, 1)
    assert [m["n"] for m in seen + missed + live] == list(range(11))
    assert [m["seq"] for m in seen + missed + live] == list(range(1, 12))


async def test_backlog_overrun_or_other_generation_means_resync() -> None:
    hub = PushHub(backlog=4)
    async with serving(hub) as base:
        for n in range(10):
            hub.publish("agent:1001", "call_update", {"n": n})
        # backlog now holds 7..10: 2 is too old, 99 is from the future, the generation is foreign
        for query in ("since=2", "since=99", f"since=10&gen=not-{hub.generation}"):
            current = hub.current_seq("agent:1001")
            async with client(f"{base}/agent:1001?{query}") as conn:
                [message] = await receive(conn, 1)
                assert (message["type"], message["seq"]) == ("resync", current)
                hub.publish("agent:1001", "call_update", {"n": "after"})
                [after] = await receive(conn, 1)
                assert (after["type"], after["seq"]) == ("call_update", current + 1)


async def test_bad_since_is_refused_with_policy_close() -> None:
    hub = PushHub()
    async with serving(hub) as base:
        with pytest.raises(ConnectionClosed) as closed:
            async with client(f"{base}/wallboard?since=abc") as conn:
                await asyncio.wait_for(conn.recv(), STEP)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
    assert "since must be a non-negative integer" in closed.value.rcvd.reason
    assert hub.subscriber_count() == 0


async def test_stalled_client_is_cut_off_while_fast_client_gets_everything() -> None:
    hub = PushHub(backlog=1000, queue_size=4, backlog_bytes=10_000_000)  # all 300 kept
    total = 300
    blob = "x" * 16_000  # big enough that a stalled reader backs up the socket quickly
    async with serving(hub) as base:
        stalled_sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        stalled_sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        stalled_sock.connect(("127.0.0.1", int(base.split(":")[2].split("/")[0])))
        stalled_sock.setblocking(False)
        async with (
            client(f"{base}/agent:1001", sock=stalled_sock, max_queue=1) as stalled,
            client(f"{base}/agent:1001", max_size=None) as fast,
        ):
            await until(lambda: hub.subscriber_count() == 2)
            fast_seqs: list[int] = []

            async def read_fast() -> None:
                while len(fast_seqs) < total:
                    fast_seqs.append(decode(await fast.recv())["seq"])

            reader = asyncio.create_task(read_fast())
            for n in range(total):
                hub.publish("agent:1001", "screen_pop", {"n": n, "blob": blob})  # never waits
                # pace by the fast reader only, so its own small queue never overflows
                await until(lambda n=n: len(fast_seqs) >= n - 1)
            await asyncio.wait_for(reader, STEP)
            assert fast_seqs == list(range(1, total + 1))
            assert hub.stats.cut_off == 1
            assert hub.subscriber_count("agent:1001") == 1

            # the stalled client finally reads: a gap-free prefix, then the "try again" close
            got: list[int] = []
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    got.append(decode(await asyncio.wait_for(stalled.recv(), STEP))["seq"])
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1013
            assert got == list(range(1, len(got) + 1))
            assert len(got) < total

        # it reconnects with what it saw and gets the rest: nothing lost
        since = f"since={got[-1] if got else 0}&gen={hub.generation}"
        async with client(f"{base}/agent:1001?{since}", max_size=None) as again:
            rest = await receive(again, total - len(got))
    assert got + [m["seq"] for m in rest] == list(range(1, total + 1))


async def test_revoked_token_is_disconnected_others_keep_listening() -> None:
    hub = PushHub()
    async with (
        serving(hub) as base,
        client(f"{base}/agent:1001?token=7") as revoked,
        client(f"{base}/wallboard?token=8") as kept,
    ):
        await until(lambda: hub.subscriber_count() == 2)
        assert hub.disconnect(lambda sub: sub.token_id == 7) == 1
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(revoked.recv(), STEP)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
        hub.publish("wallboard", "wallboard", {"groups": [], "agents": []})
        [message] = await receive(kept, 1)
        assert (message["type"], message["seq"]) == ("wallboard", 1)
