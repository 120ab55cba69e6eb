"""FastAGI server: Asterisk's `AGI(agi://host:4573/route)` hook sets the CC_* channel variables.

A small asyncio line-protocol server rather than panoramisk's fast_agi.Application: that one loops
forever reading b'' when Asterisk hangs up before the blank line, raises on non-UTF-8 bytes and has
no timeout for a silent peer - each of which would pin a CPU or leak a socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from callcenter.adapters.loop_lag import arrival_time, stop_heartbeat
from callcenter.domain.access.networks import in_networks, parse_networks
from callcenter.domain.routing.decision import RoutingDecision
from callcenter.services.routing import RoutingService

log = logging.getLogger(__name__)

MAX_HEADER_LINES = 200
HEADER_TIMEOUT_S = 5.0
REPLY_TIMEOUT_S = 5.0
BACKLOG = 4096  # a burst of sessions waits in the kernel, not reset by it
MAX_LOGGED_SOURCES = 1000
# AGI callingpres: bits 0x60 hold the presentation; anything but "allowed" (0x00) hides the number
_PRES_MASK = 0x60
_NEEDS_QUOTES = re.compile(r'[\s"\\]')
_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class AgiRequest:
    """What we take from the agi_* environment for routing."""

    script: str | None
    caller_raw: str | None
    did: str | None
    menu: str | None
    uniqueid: str | None


@dataclass
class AgiServer:
    """A running FastAGI server; `port` is the bound port (useful with port 0)."""

    server: asyncio.Server
    host: str
    port: int
    sessions: set[asyncio.Task[None]] = field(default_factory=set)
    refused: int = 0  # sessions from sources not on the allow-list
    refused_sources: set[str] = field(default_factory=set)

    async def stop(self) -> None:
        """Stop accepting, end open sessions, and wait until all is closed."""
        self.server.close()
        for task in list(self.sessions):
            task.cancel()
        await asyncio.gather(*self.sessions, return_exceptions=True)
        await self.server.wait_closed()
        stop_heartbeat()


def quote_agi(value: str) -> str:
    """An AGI command argument: bare when safe, else double-quoted with \\ and " escaped."""
    value = _UNSAFE.sub(" ", value)  # a newline would end the command early
    if value and not _NEEDS_QUOTES.search(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def parse_environment(env: Mapping[str, str], known_dids: Mapping[str, str]) -> AgiRequest:
    """The routing inputs from agi_* variables; absent or odd values become None."""

    def get(key: str) -> str | None:
        value = env.get(key, "").strip()
        return value if value and value.lower() != "unknown" else None

    caller = get("agi_callerid")
    pres = env.get("agi_callingpres", "").strip()
    if pres.isdigit() and int(pres) & _PRES_MASK:
        caller = None  # withheld: the number is not ours to look up
    # The shipped dialplan passes the entry point as the hook's first argument (it runs the hook
    # from [cc-route] exten s, so agi_extension is "s" and agi_dnid the carrier's number), and
    # the IVR menu choice as the second. Older dialplans passed only the menu choice.
    extension, dnid, first = get("agi_extension"), get("agi_dnid"), get("agi_arg_1")
    did: str | None
    if first is not None and (first in known_dids or env.get("agi_arg_2") is not None):
        did, menu = first, get("agi_arg_2")
    else:
        found = (d for d in (extension, dnid) if d in known_dids)
        did, menu = next(found, extension or dnid), first
    script = get("agi_network_script")
    return AgiRequest(
        script=script.split("?", 1)[0].strip("/") if script else None,
        caller_raw=caller,
        did=did,
        menu=menu,
        uniqueid=get("agi_uniqueid"),
    )


async def start_agi_server(
    service: RoutingService,
    host: str = "127.0.0.1",
    port: int = 4573,
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    allow: Iterable[str] = ("127.0.0.1", "::1"),
) -> AgiServer:
    """Listen for FastAGI sessions on host:port and route each with `service`.

    Only sources in `allow` (addresses or networks) are answered; anyone else is hung up on
    before a byte is read, and no variable is set.
    """
    holder: list[AgiServer] = []
    networks, bad = parse_networks(allow)
    for entry in bad:
        log.error("agi_allow entry %r is not an address or network; ignored", entry)

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        received_at = arrival_time()  # the deadline counts from arrival, not from our first look
        peer = writer.get_extra_info("peername")
        source = str(peer[0]) if isinstance(peer, tuple) and peer else None
        if not in_networks(source, networks):
            _refuse(holder[0], source, writer)
            return
        task = asyncio.current_task()
        assert task is not None
        holder[0].sessions.add(task)
        try:
            await _session(service, reader, writer, clock, received_at)
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("FastAGI session failed")
        finally:
            holder[0].sessions.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    arrival_time()  # the loop's heartbeat starts before the first session
    server = await asyncio.start_server(on_connect, host, port, backlog=BACKLOG)
    bound = server.sockets[0].getsockname()[1]
    holder.append(AgiServer(server=server, host=host, port=bound))
    log.info("FastAGI listening on %s:%d", host, bound)
    return holder[0]


def _refuse(server: AgiServer, source: str | None, writer: asyncio.StreamWriter) -> None:
    """Hang up on a source not allowed: logged once per source, counted always."""
    server.refused += 1
    key = source or "unknown"
    if key not in server.refused_sources and len(server.refused_sources) < MAX_LOGGED_SOURCES:
        server.refused_sources.add(key)
        log.warning("FastAGI session from %s refused: not in agi_allow", key)
    writer.transport.abort()


async def _session(
    service: RoutingService,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    clock: Callable[[], datetime],
    received_at: float | None = None,
) -> None:
    try:
        async with asyncio.timeout(HEADER_TIMEOUT_S):  # a timer, not a task per session
            env = await _read_environment(reader)
    except TimeoutError:
        env = None  # Asterisk sends the whole block at once; a trickle is not Asterisk
    if env is None:
        return  # peer gone before the environment ended: nothing to answer
    request = parse_environment(env, service.rules.by_did)
    if request.script not in (None, "route"):
        log.error("FastAGI script %r is not served here", request.script)
        return
    decision = await service.route(
        caller_raw=request.caller_raw,
        did=request.did,
        menu=request.menu,
        now=clock(),
        call_id=request.uniqueid,
        received_at=received_at,
    )
    await _send_decision(decision, reader, writer)


async def _read_environment(reader: asyncio.StreamReader) -> dict[str, str] | None:
    env: dict[str, str] = {}
    for _ in range(MAX_HEADER_LINES):
        try:
            raw = await reader.readline()
        except ValueError:
            continue  # an overlong line was discarded by the reader: route without it
        except ConnectionError:
            return None
        if not raw:
            return None
        line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        if not line:
            return env
        key, sep, value = line.partition(":")
        if sep and key.startswith("agi_"):
            env[key.strip()] = value.strip()
    log.warning(
        "FastAGI environment longer than %d lines: routing with what we have", MAX_HEADER_LINES
    )
    return env


async def _send_decision(
    decision: RoutingDecision, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    for name, value in decision.dialplan_variables().items():
        writer.write(f"SET VARIABLE {name} {quote_agi(value)}\n".encode())
        await writer.drain()
        reply = await _read_reply(reader)
        if reply is None:
            log.info("channel hung up while variables were set (%s)", name)
            return
        if not reply.startswith("200"):
            log.warning("SET VARIABLE %s answered %r", name, reply)


async def _read_reply(reader: asyncio.StreamReader) -> str | None:
    while True:
        try:
            async with asyncio.timeout(REPLY_TIMEOUT_S):  # a timer, not a task per reply
                raw = await reader.readline()
        except (TimeoutError, ValueError, ConnectionError):
            return None
        line = raw.decode("utf-8", errors="replace").strip()
        if not raw or line == "HANGUP":
            return None
        if not line.startswith("100"):  # "100 Trying..." precedes the real answer
            return line
