"""The FastAGI server over real loopback TCP: recorded Asterisk sessions, garbage, the deadline."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import AsyncIterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from callcenter.adapters.agi import AgiServer, quote_agi, start_agi_server
from callcenter.domain.routing.inputs import CustomerSnapshot, GroupStaff, LiveAgents
from callcenter.services.routing import RoutingService, load_rules
from callcenter.services.routing_sources import InMemorySnapshots
from support import TRACES

MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
GUARD_S = 10  # only stops a broken server from hanging the test run
RULES = load_rules(None)
LI_WEI = CustomerSnapshot(customer_id=7, segment="senior", name="Li Wei")


class Presence:
    async def live_agents(self) -> LiveAgents:
        return {"member-hotline": GroupStaff(frozenset({"1001", "1002"}))}


class NeverAnswers:
    async def snapshot_for(self, e164: str) -> CustomerSnapshot | None:
        await asyncio.Event().wait()
        return None


def recorded(name: str) -> tuple[list[str], list[str]]:
    """The environment lines Asterisk sent and the commands the recorded server sent."""
    text = (TRACES / name).read_text("utf-8")
    sent = [line[3:] for line in text.splitlines() if line.startswith("<< ")]
    env = sent[: sent.index("") + 1]
    commands = [line[3:] for line in text.splitlines() if line.startswith(">> ")]
    return env, commands


def make_service(snapshots: object, deadline_s: float) -> RoutingService:
    return RoutingService(
        rules=RULES,
        snapshots=snapshots,  # type: ignore[arg-type]
        presence=Presence(),
        deadline_s=deadline_s,
    )


async def start(snapshots: object = None, deadline_s: float = 0.15) -> AgiServer:
    service = make_service(snapshots or InMemorySnapshots(), deadline_s)
    return await start_agi_server(service, "127.0.0.1", 0, clock=lambda: MONDAY_10)


@pytest.fixture
async def server() -> AsyncIterator[AgiServer]:
    srv = await start(InMemorySnapshots({"+8613800138000": LI_WEI}))
    yield srv
    await srv.stop()


async def session(srv: AgiServer, env_bytes: bytes, reply: bytes = b"200 result=1\n") -> list[str]:
    """Play Asterisk: send the environment, answer each command, return the commands received."""
    reader, writer = await asyncio.open_connection(srv.host, srv.port)
    writer.write(env_bytes)
    await writer.drain()
    commands = []
    while True:
        line = await asyncio.wait_for(reader.readline(), GUARD_S)
        if not line:
            break
        commands.append(line.decode().rstrip("\n"))
        writer.write(reply)
        await writer.drain()
    writer.close()
    return commands


def variables(commands: list[str]) -> dict[str, str]:
    out = {}
    for command in commands:
        _, _, name, value = command.split(" ", 3)
        out[name] = value
    return out


def env(**values: str) -> bytes:
    base = {
        "agi_network": "yes",
        "agi_network_script": "route",
        "agi_uniqueid": "1795343813.0",
        "agi_callerid": "+8613800138000",
        "agi_callingpres": "0",
        "agi_dnid": "8001",
        "agi_extension": "8001",
    }
    base.update(values)
    return "".join(f"{k}: {v}\n" for k, v in base.items()).encode() + b"\n"


async def test_recorded_session_of_a_known_caller(server: AgiServer) -> None:
    env_lines, recorded_commands = recorded("answered_caller_hangs_up.agi.txt")
    commands = await session(server, "\n".join(env_lines).encode() + b"\n")
    assert commands[0] == recorded_commands[0] == "SET VARIABLE CC_QUEUE member-hotline"
    assert variables(commands) == {
        "CC_QUEUE": "member-hotline",
        "CC_PRIORITY": "60",
        "CC_CUSTOMER_ID": "7",
        "CC_SEGMENT": "senior",
        "CC_PREFERRED_AGENT": "1001",
        "CC_OVERFLOW_QUEUE": "online-service",
        "CC_OVERFLOW_AFTER": "30",
        "CC_REASON": '"senior member"',
        "CC_ACTION": "queue",
        "CC_WIDEN_QUEUE": "telemarketing",
        "CC_WIDEN_AFTER": "120",
    }


async def test_recorded_session_of_an_anonymous_caller(server: AgiServer) -> None:
    env_lines, recorded_commands = recorded("anonymous_caller.agi.txt")
    commands = await session(server, "\n".join(env_lines).encode() + b"\n")
    assert commands[0] == recorded_commands[0] == "SET VARIABLE CC_QUEUE online-service"
    got = variables(commands)
    assert (got["CC_CUSTOMER_ID"], got["CC_SEGMENT"], got["CC_PREFERRED_AGENT"]) == ('""',) * 3
    assert got["CC_REASON"] == '"new caller"'


async def test_decision_is_remembered_under_the_uniqueid() -> None:
    service = make_service(InMemorySnapshots({"+8613800138000": LI_WEI}), 0.15)
    srv = await start_agi_server(service, "127.0.0.1", 0, clock=lambda: MONDAY_10)
    try:
        await session(srv, env(agi_uniqueid="1795343999.7"))
    finally:
        await srv.stop()
    decision = service.decision_for("1795343999.7")
    assert decision is not None
    assert (decision.customer_id, decision.queue) == (7, "member-hotline")


async def test_withheld_presentation_hides_a_real_number(server: AgiServer) -> None:
    commands = await session(server, env(agi_callingpres="32"))  # restricted
    got = variables(commands)
    assert got["CC_CUSTOMER_ID"] == '""'
    assert got["CC_REASON"] == '"new caller"'


@pytest.mark.parametrize(
    ("payload", "queue"),
    [
        (b"\x00\xff\xfe binary junk\n\x89PNG\r\n\n", "member-hotline"),  # junk, no agi_ lines
        (b"agi_network_script: route\n\n", "member-hotline"),  # nearly everything missing
        (env(agi_callerid="9" * 5000), "member-hotline"),  # absurd caller ID
        (env(agi_callerid="+86138\x07\x1b[0m"), "member-hotline"),  # control characters
        # an unknown DID goes to the default group; a DID only in agi_dnid still counts
        (env(agi_extension="9999", agi_dnid="unknown", agi_callerid=""), "member-hotline"),
        (env(agi_extension="s", agi_dnid="8006", agi_callerid="unknown"), "finance"),
        (env(agi_callerid="x" * 100_000), "member-hotline"),  # longer than the reader's limit
        (b"agi_network_script: route\r\nagi_extension: 8002\r\n\r\n", "online-service"),  # CRLF
    ],
)
async def test_garbage_environment_still_routes_to_a_default_queue(
    server: AgiServer, payload: bytes, queue: str
) -> None:
    commands = await session(server, payload)
    got = variables(commands)
    assert got["CC_QUEUE"] == queue
    assert got["CC_CUSTOMER_ID"] == '""'


async def test_other_script_names_get_no_commands(server: AgiServer) -> None:
    assert await session(server, env(agi_network_script="billing")) == []


async def test_peer_gone_mid_environment_or_mid_commands_does_not_stop_the_server(
    server: AgiServer,
) -> None:
    for cut in (b"agi_network: yes\nagi_callerid: +86", env()):
        reader, writer = await asyncio.open_connection(server.host, server.port)
        writer.write(cut)
        await writer.drain()
        if cut.endswith(b"\n\n"):
            await asyncio.wait_for(reader.readline(), GUARD_S)  # first command, never answered
        writer.close()
        await writer.wait_closed()
    commands = await session(server, env())
    assert variables(commands)["CC_QUEUE"] == "member-hotline"


async def test_hangup_reply_stops_the_session(server: AgiServer) -> None:
    commands = await session(server, env(), reply=b"HANGUP\n")
    assert commands == ["SET VARIABLE CC_QUEUE member-hotline"]


async def test_snapshot_source_that_never_answers_gets_the_fallback() -> None:
    srv = await start(NeverAnswers(), deadline_s=0.05)
    try:
        got = variables(await session(srv, env(agi_extension="8006", agi_dnid="8006")))
    finally:
        await srv.stop()
    assert got["CC_QUEUE"] == "finance"
    assert got["CC_REASON"] == "fallback"
    assert got["CC_CUSTOMER_ID"] == '""'


def _blocking_session(port: int, env_bytes: bytes, sent: threading.Event) -> list[str]:
    """Asterisk on its own thread: it connects and sends while our event loop is stuck."""
    with socket.create_connection(("127.0.0.1", port), timeout=GUARD_S) as sock:
        sock.sendall(env_bytes)
        sent.set()
        lines = sock.makefile("rb")
        commands = []
        while line := lines.readline():
            commands.append(line.decode().rstrip("\n"))
            sock.sendall(b"200 result=1\n")
    return commands


def _hold_the_loop(seconds: float) -> None:
    """What a long callback does to the event loop."""
    time.sleep(seconds)


async def test_a_session_kept_waiting_by_a_stuck_loop_is_answered_the_fallback_at_once() -> None:
    """The deadline counts from when the session arrived, not from when the loop got to it: after
    0.2 s stuck (deadline 0.15 s) no lookup is started, the fallback goes out at once (shed)."""
    service = make_service(InMemorySnapshots({"+8613800138000": LI_WEI}), 0.15)
    srv = await start_agi_server(service, "127.0.0.1", 0, clock=lambda: MONDAY_10)
    try:
        await asyncio.sleep(0.05)
        sent = threading.Event()
        loop = asyncio.get_running_loop()
        client = loop.run_in_executor(None, _blocking_session, srv.port, env(), sent)
        assert sent.wait(GUARD_S)
        _hold_the_loop(0.2)  # the session waits in the kernel meanwhile
        got = variables(await asyncio.wait_for(client, GUARD_S))
    finally:
        await srv.stop()
    assert (got["CC_REASON"], got["CC_CUSTOMER_ID"]) == ("fallback", '""')
    assert got["CC_QUEUE"] == "member-hotline"  # the entry point's own queue
    assert service.stats.shed == 1
    # without the stall the same session is looked up (the caller is known)
    srv = await start_agi_server(service, "127.0.0.1", 0, clock=lambda: MONDAY_10)
    try:
        assert variables(await session(srv, env()))["CC_CUSTOMER_ID"] == "7"
    finally:
        await srv.stop()


async def test_stop_ends_idle_sessions() -> None:
    srv = await start()
    reader, writer = await asyncio.open_connection(srv.host, srv.port)
    writer.write(b"agi_network: yes\n")  # and then nothing
    await writer.drain()
    await asyncio.wait_for(srv.stop(), GUARD_S)
    assert await asyncio.wait_for(reader.read(), GUARD_S) == b""
    writer.close()


@pytest.mark.parametrize(
    ("value", "quoted"),
    [
        ("member-hotline", "member-hotline"),
        ("", '""'),
        ("senior member", '"senior member"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("a\\b", '"a\\\\b"'),
        ("two\nlines", '"two lines"'),
        ("资深会员", "资深会员"),
    ],
)
def test_agi_argument_quoting(value: str, quoted: str) -> None:
    assert quote_agi(value) == quoted
