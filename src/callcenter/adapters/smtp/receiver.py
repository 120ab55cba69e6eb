"""The SMTP server: allow-listed relays only; 250 only once the item is stored.

A mail becomes an `email` work item; a recipient whose local part names a group
(`letters@...`) files it there. The database down (or anything else failing the write) answers
451, so the relay keeps the mail and retries; a mail over the size limit gets 552 and one that is
not RFC 5321 clean gets 500, each logged with the peer and sender. Broken MIME is accepted into
triage with the raw message attached (see mime.py).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from callcenter.adapters.smtp.mime import parse_mail
from callcenter.adapters.smtp.session import WorkSMTP
from callcenter.domain.work_items import Sender
from callcenter.services.errors import InvalidField
from callcenter.services.work_items import WorkItemService
from callcenter.services.work_requests import Intake

log = logging.getLogger(__name__)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(entries: list[str]) -> list[Network]:
    """Allow-list entries as networks (a bare address is a host network); bad ones skipped."""
    out: list[Network] = []
    for entry in entries:
        try:
            out.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            log.error("smtp_allow entry %r is not an address or network; ignored", entry)
    return out


class GroupCommit:
    """Mails arriving together are stored in one transaction; each DATA waits for its commit.

    One writer task takes whatever is waiting (up to `max_batch`) and stores it; a failed
    commit fails every mail of that batch (each relay gets 451 and retries)."""

    def __init__(self, service: WorkItemService, max_batch: int = 64) -> None:
        self.service = service
        self.max_batch = max_batch
        self._queue: asyncio.Queue[tuple[Intake, str, asyncio.Future[Any]]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def submit(self, intake: Intake, actor: str) -> Any:
        """The stored item (or the InvalidField of a bad one); raises when the store failed."""
        if self._task is None:
            self._task = asyncio.create_task(self._write(), name="smtp-group-commit")
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        await self._queue.put((intake, actor, future))
        return await future

    async def stop(self) -> None:
        """End the writer; mails still waiting get an error (their relays retry)."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        while not self._queue.empty():
            *_, future = self._queue.get_nowait()
            if not future.done():
                future.set_exception(ConnectionAbortedError("receiver stopping"))

    async def _write(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self.max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                results = await self.service.submit_many(
                    [(intake, actor) for intake, actor, _ in batch], now=datetime.now(UTC)
                )
            except Exception as exc:
                for *_, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (*_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)


class WorkMailHandler:
    """aiosmtpd handler: MAIL, RCPT and DATA from allowed peers; DATA files the work item."""

    def __init__(self, service: WorkItemService, allow: list[Network]) -> None:
        self.service = service
        self.allow = allow
        self.accepted = 0
        self.writer = GroupCommit(service)

    def allowed(self, session: Session) -> bool:
        """Whether the connecting peer is an allow-listed relay."""
        peer = session.peer
        host = peer[0] if isinstance(peer, tuple) else None
        try:
            address = ipaddress.ip_address(str(host).split("%")[0])
        except ValueError:
            return False
        if address.version == 6 and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return any(address in net for net in self.allow)

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if not self.allowed(session):
            log.warning("smtp: refused MAIL from %s (not an allowed relay)", session.peer)
            return "554 5.7.1 this address may not relay mail here"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if not self.allowed(session):
            return "554 5.7.1 this address may not relay mail here"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if not self.allowed(session):
            return "554 5.7.1 this address may not relay mail here"
        raw = envelope.original_content or b""
        parsed = parse_mail(raw, envelope.mail_from)
        problems = list(parsed.problems)
        if parsed.sender is None:
            problems.append("no sender address")
        intake = Intake(
            kind="email",
            subject=parsed.subject or "(no subject)",
            body=parsed.body,
            sender=Sender(email=parsed.sender),
            source="smtp",
            group=self._group(envelope.rcpt_tos),
            files=parsed.files,
            triage="; ".join(problems)[:1000] if problems else None,
        )
        peer = session.peer[0] if isinstance(session.peer, tuple) else session.peer
        try:
            item = await self.writer.submit(intake, f"smtp {peer}")
        except Exception as exc:  # the relay keeps the mail and retries: never 250 then lost
            log.error("smtp: mail from %s not stored, answered 451: %r", envelope.mail_from, exc)
            return "451 4.3.0 cannot store the mail right now; try again later"
        if isinstance(item, InvalidField):  # cannot happen for mail (no sender goes to triage)
            log.warning("smtp: mail from %s refused: %s", envelope.mail_from, item)
            return f"554 5.6.0 {item.message}"[:500]
        self.accepted += 1
        return f"250 2.0.0 OK: work item {item.id}"

    def _group(self, recipients: list[str]) -> str | None:
        for rcpt in recipients:
            local = rcpt.split("@", 1)[0].lower()
            if local in self.service.groups:
                return local
        return None


@dataclass
class SmtpReceiver:
    """A listening SMTP server; `port` is the bound one (0 in the settings picks a free port)."""

    server: asyncio.AbstractServer
    handler: WorkMailHandler
    host: str
    port: int

    async def stop(self) -> None:
        """Stop listening and close open sessions."""
        self.server.close()
        await self.handler.writer.stop()
        await self.server.wait_closed()


async def start_smtp(
    service: WorkItemService, *, host: str, port: int, allow: list[str], max_bytes: int
) -> SmtpReceiver:
    """Listen on host:port on the running loop (OSError when the port is taken)."""
    loop = asyncio.get_running_loop()
    handler = WorkMailHandler(service, networks(allow))

    def protocol() -> Any:
        return WorkSMTP(
            handler,
            data_size_limit=max_bytes,
            hostname="callcenter",
            ident="callcenter work-item intake",
            loop=loop,
        )

    server = await loop.create_server(protocol, host=host, port=port)
    bound = server.sockets[0].getsockname()[1] if server.sockets else port
    return SmtpReceiver(server=server, handler=handler, host=host, port=int(bound))
