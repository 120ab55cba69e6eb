"""One AMI client session: banner, Login with secret check, action dispatch, Logoff."""

from __future__ import annotations

import asyncio
import logging
import time

from callcenter.sim.actions import HANDLERS
from callcenter.sim.host import AmiHost
from callcenter.sim.model import Message
from callcenter.sim.replies import Action, get, response
from callcenter.sim.wire import BANNER, encode, read_message

log = logging.getLogger(__name__)
MAX_BACKLOG = 16 * 1024 * 1024  # bytes queued for one client before it is cut off


class AmiSession:
    """One connected AMI client."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.authenticated = False
        self.events = True

    def send(self, data: bytes) -> None:
        """Queue bytes for the client (never awaits, so event order is the emit order)."""
        if self.writer.is_closing():
            return
        if self.writer.transport.get_write_buffer_size() > MAX_BACKLOG:
            # A client that stopped reading is cut off, as Asterisk does after its write timeout.
            log.warning("AMI client not reading; disconnecting it")
            self.writer.transport.abort()
            return
        self.writer.write(data)


async def serve_session(
    sim: AmiHost, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    """Talk AMI with one client until it logs off or the connection ends."""
    session = AmiSession(reader, writer)
    sim.sessions.add(session)
    session.send(BANNER)
    try:
        while True:
            action = await read_message(reader)
            if action is None:
                break
            if not handle_action(sim, session, action):
                await writer.drain()
                break
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        sim.sessions.discard(session)
        writer.close()


def handle_action(sim: AmiHost, session: AmiSession, action: Action) -> bool:
    """Answer one action; False when the session should close (Logoff)."""
    name = get(action, "Action").lower()
    if not name:
        session.send(encode(response(action, "Error", "Missing action in request")))
        return True
    if name == "login":
        login(sim, session, action)
        return True
    if not session.authenticated:
        session.send(encode(response(action, "Error", "Permission denied")))
        return True
    if name == "logoff":
        session.send(encode(response(action, "Goodbye", "Thanks for all the fish.")))
        return False
    if name == "events":
        mask = get(action, "EventMask").lower()
        session.events = mask not in ("off", "no", "false", "0", "")
        word = "On" if session.events else "Off"
        session.send(encode(response(action, "Success", "", ("Events", word))))
        return True
    handler = HANDLERS.get(name)
    if handler is None:
        session.send(encode(response(action, "Error", "Invalid/unknown command")))
        return True
    reply = handler(sim, action)
    for msg in reply.messages:
        session.send(encode(msg))
    for event in reply.events:
        sim.emit(event)
    return True


def login(sim: AmiHost, session: AmiSession, action: Action) -> None:
    """Login: secret check, then the FullyBooted event when the session wants events."""
    user, secret = get(action, "Username"), get(action, "Secret")
    if user != sim.username or secret != sim.secret:
        session.send(encode(response(action, "Error", "Authentication failed")))
        return
    session.authenticated = True
    sim.first_login.set()
    session.events = get(action, "Events").lower() not in ("off", "no", "false", "0")
    session.send(encode(response(action, "Success", "Authentication accepted")))
    uptime = str(max(int(sim.now() - sim.epoch), 1))
    booted = [
        ("Event", "FullyBooted"),
        ("Privilege", "system,all"),
        ("Uptime", uptime),
        ("LastReload", uptime),
        ("Status", "Fully Booted"),
    ]
    if session.events:
        session.send(encode(booted))
    sim.emit(successful_auth(sim, session))


def successful_auth(sim: AmiHost, session: AmiSession) -> Message:
    """The security event Asterisk sends to every session when someone logs in."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + ".000+0000"
    local = session.writer.get_extra_info("sockname") or ("127.0.0.1", 0)
    remote = session.writer.get_extra_info("peername") or ("127.0.0.1", 0)
    return [
        ("Event", "SuccessfulAuth"),
        ("Privilege", "security,all"),
        ("EventTV", stamp),
        ("Severity", "Informational"),
        ("Service", "AMI"),
        ("EventVersion", "1"),
        ("AccountID", sim.username),
        ("SessionID", f"0x{id(session):x}"),
        ("LocalAddress", f"IPV4/TCP/{local[0]}/{local[1]}"),
        ("RemoteAddress", f"IPV4/TCP/{remote[0]}/{remote[1]}"),
        ("UsingPassword", "0"),
        ("SessionTV", stamp),
    ]
