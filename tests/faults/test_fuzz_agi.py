"""1,000 hostile FastAGI sessions against the real server over loopback TCP."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callcenter.adapters.agi import AgiServer, start_agi_server
from callcenter.domain.routing.inputs import CustomerSnapshot
from callcenter.services.routing import RoutingService, load_rules
from callcenter.services.routing_sources import InMemorySnapshots
from support import TRACES
from support.faults import open_fds

SESSIONS = 1_000
PARALLEL = 50
# Only a hang detector: the server's own timeouts end a silent peer within seconds.
GUARD_S = 30.0
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
KEYS = (
    "agi_network", "agi_network_script", "agi_request", "agi_channel", "agi_uniqueid",
    "agi_callerid", "agi_calleridname", "agi_callingpres", "agi_dnid", "agi_extension",
    "agi_arg_1", "agi_rdnis", "agi_context",
)  # fmt: skip
VALUES = (
    "route", "route?x=1", "other", "+8613800138000", "unknown", "", "67", "0", "8001", "8006",
    "9999", "anonymous", "李伟", "1795343813.0", "99999999999999999999", "-1", '"quoted"',
)  # fmt: skip
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n"), max_size=60)
REPLIES = (b"200 result=1\n",) * 6 + (
    b"100 Trying...\n200 result=1\n",
    b"510 Invalid or unknown command\n",
    b"HANGUP\n",
    b"\xff\xfe junk\n",
    b"",  # close instead of answering
)
# How the peer behaves after its environment: mostly like Asterisk, sometimes not at all.
ENDINGS = ("answer",) * 12 + ("eof", "eof", "abort", "abort", "silent")


@dataclass(frozen=True)
class Session:
    """What one fake Asterisk sends and how it ends."""

    env: bytes
    ending: str
    reply: bytes


@st.composite
def sessions(draw: st.DrawFn) -> Session:
    lines: list[bytes] = []
    for _ in range(draw(st.integers(0, 30))):
        kind = draw(st.sampled_from(("pair", "pair", "pair", "text", "binary", "long")))
        if kind == "pair":
            key = draw(st.one_of(st.sampled_from(KEYS), TEXT))
            value = draw(st.one_of(st.sampled_from(VALUES), TEXT))
            line = f"{key}{draw(st.sampled_from((': ', ':', '', ' : ')))}{value}".encode()
        elif kind == "text":
            line = draw(TEXT).encode()
        elif kind == "binary":
            line = draw(st.binary(max_size=80)).replace(b"\n", b"")
        else:  # past the reader's 64 KiB line limit
            line = b"agi_calleridname: " + b"x" * draw(st.integers(65_000, 70_000))
        lines.append(line + draw(st.sampled_from((b"\n", b"\r\n"))))
    blank = draw(st.sampled_from((b"\n", b"\n", b"\r\n", b"")))
    return Session(
        env=b"".join(lines) + blank,
        ending=draw(st.sampled_from(ENDINGS)),
        reply=draw(st.sampled_from(REPLIES)),
    )


def _draw_sessions() -> list[Session]:
    drawn: list[Session] = []

    @settings(
        max_examples=SESSIONS,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(session=sessions())
    def collect(session: Session) -> None:
        drawn.append(session)

    collect()
    return drawn


async def _play(server: AgiServer, session: Session) -> None:
    """One peer; returns once the server has closed the connection (or we aborted it)."""
    reader, writer = await asyncio.open_connection(server.host, server.port)
    try:
        writer.write(session.env)
        await writer.drain()
        if session.ending == "abort":
            writer.transport.abort()
            return
        if session.ending == "eof":
            writer.write_eof()
        if session.ending in ("eof", "silent"):
            while await reader.read(4096):
                pass
            return
        while line := await reader.readline():
            if line.startswith(b"SET VARIABLE"):
                if not session.reply:
                    writer.transport.abort()
                    return
                writer.write(session.reply)
                await writer.drain()
    except ConnectionError:
        return  # the server may reset a peer that misbehaves; that is an ending too
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


async def _recorded(server: AgiServer) -> dict[str, str]:
    text = (TRACES / "answered_caller_hangs_up.agi.txt").read_text("utf-8")
    sent = [line[3:] for line in text.splitlines() if line.startswith("<< ")]
    env = "\n".join(sent[: sent.index("") + 1]) + "\n"
    reader, writer = await asyncio.open_connection(server.host, server.port)
    writer.write(env.encode())
    got: dict[str, str] = {}
    while line := await asyncio.wait_for(reader.readline(), GUARD_S):
        _, _, name, value = line.decode().rstrip("\n").split(" ", 3)
        got[name] = value
        writer.write(b"200 result=1\n")
    writer.close()
    await writer.wait_closed()
    return got


def _service() -> RoutingService:
    return RoutingService(
        rules=load_rules(None),
        snapshots=InMemorySnapshots(
            {"+8613800138000": CustomerSnapshot(customer_id=7, segment="senior", name="Li Wei")}
        ),
    )


async def test_thousand_fuzzed_agi_sessions_all_end_and_leak_nothing() -> None:
    """Figure: 1,000 hostile sessions (junk, overlong lines, no blank line, resets, silence) ->
    1,000 ended, 0 server sessions left, tasks and file descriptors back to their count before,
    and a recorded Asterisk session afterwards gets the same variables as on a fresh server."""
    drawn = _draw_sessions()
    assert len(drawn) >= SESSIONS
    fresh = await start_agi_server(_service(), "127.0.0.1", 0, clock=lambda: MONDAY_10)
    try:
        expected = await _recorded(fresh)
    finally:
        await fresh.stop()
    assert expected["CC_CUSTOMER_ID"] == "7"

    gc.collect()
    fds_before, tasks_before = open_fds(), len(asyncio.all_tasks())
    server = await start_agi_server(_service(), "127.0.0.1", 0, clock=lambda: MONDAY_10)
    try:
        gate = asyncio.Semaphore(PARALLEL)
        ended = 0

        async def one(session: Session) -> None:
            nonlocal ended
            async with gate:
                await asyncio.wait_for(_play(server, session), GUARD_S)
                ended += 1

        await asyncio.gather(*(one(s) for s in drawn))
        assert ended == len(drawn)
        async with asyncio.timeout(GUARD_S):
            while server.sessions:  # the server's side of aborted peers winds down
                await asyncio.sleep(0.01)
        assert await _recorded(server) == expected
    finally:
        await server.stop()
    await asyncio.sleep(0.05)
    gc.collect()
    assert len(asyncio.all_tasks()) == tasks_before
    assert open_fds() == fds_before
