"""Push hub over real websockets, delivering: each client gets its channel in order, a stalled
client is cut off while a fast one gets everything, a revoked token is disconnected."""

from __future__ import annotations

import asyncio
import socket

import pytest
from websockets.exceptions import ConnectionClosed

from callcenter.adapters.push.hub import PushHub
from callcenter.adapters.push.protocol import decode
from support.push_serving import STEP, client, receive, serving, until


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
