"""The SMTP receiver over a real socket (aiosmtpd in the app, smtplib as the relay), SQLite and
PostgreSQL: a mail accepted with 250 is an `email` item with its attachments stored by hash and
size; a mail too big, a relay not allowed, and a database that is down are each refused with a
code that tells the relay what to do (and nothing is stored); broken MIME is kept in triage."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import smtplib
import socket
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import make_url

from callcenter.adapters.db.migrate import upgrade
from callcenter.app import create_app
from callcenter.settings import Settings
from support import ApiHarness
from support.faults import TcpProxy


@asynccontextmanager
async def smtp_app(database_url: str, files: Path, **extra: Any) -> AsyncIterator[ApiHarness]:
    """The app with its SMTP receiver on a free loopback port."""
    settings = Settings(
        database_url=database_url,
        ami_servers=[],
        agi_enabled=False,
        smtp_port=0,
        work_files_dir=files,
        **extra,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield ApiHarness(client, app.state.runtime)


def _send(port: int, msg: EmailMessage, rcpt: str = "service@club.example") -> dict[str, Any]:
    """One SMTP session as a relay runs it; what the server answered to DATA."""
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.ehlo("relay.example")
        smtp.mail(str(msg["From"]))
        smtp.rcpt(rcpt)
        code, reply = smtp.data(msg.as_bytes(policy=msg.policy.clone(linesep="\r\n")))
    return {"code": code, "reply": reply.decode()}


def _mail(attachment: bytes | None = None, sender: str = "Lan <lan@example.cn>") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "service@club.example"
    msg["Subject"] = "My remittance slip"
    msg.set_content("Please find my slip attached.\nMember 12345")
    if attachment is not None:
        msg.add_attachment(attachment, maintype="image", subtype="png", filename="slip.png")
    return msg


async def _listed(api: ApiHarness, within_s: float = 2.0) -> list[dict[str, Any]]:
    h = await api.headers("supervisor")
    deadline = time.monotonic() + within_s
    while True:
        found = (
            await api.client.get("/api/work-items", params={"kind": "email"}, headers=h)
        ).json()
        if found or time.monotonic() > deadline:
            return list(found)
        await asyncio.sleep(0.05)


async def test_a_mail_with_an_attachment_becomes_an_email_item(
    database_url: str, tmp_path: Path
) -> None:
    blob = os.urandom(100 * 1024)
    async with smtp_app(database_url, tmp_path / "files") as api:
        assert api.runtime.smtp is not None
        answer = await asyncio.to_thread(_send, api.runtime.smtp.port, _mail(blob))
        assert answer["code"] == 250
        (item,) = await _listed(api)
        assert answer["reply"].endswith(f"work item {item['id']}")
        assert (item["kind"], item["status"], item["channel"]) == ("email", "new", "email")
        assert item["from"]["email"] == "lan@example.cn"
        assert item["subject"] == "My remittance slip"
        assert "Member 12345" in item["body"]
        (att,) = item["attachments"]
        assert att["filename"] == "slip.png" and att["content_type"] == "image/png"
        assert att["size"] == len(blob)
        assert att["sha256"] == hashlib.sha256(blob).hexdigest()
        stored = tmp_path / "files" / att["sha256"][:2] / att["sha256"]
        assert stored.read_bytes() == blob


async def test_a_recipient_naming_a_group_files_it_there(database_url: str, tmp_path: Path) -> None:
    async with smtp_app(database_url, tmp_path / "files") as api:
        assert api.runtime.smtp is not None
        answer = await asyncio.to_thread(
            _send, api.runtime.smtp.port, _mail(), "finance@club.example"
        )
        assert answer["code"] == 250
        (item,) = await _listed(api)
        assert item["group"] == "finance"


async def test_a_mail_over_the_limit_is_refused_and_logged(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="callcenter.adapters.smtp")
    async with smtp_app(database_url, tmp_path / "files", smtp_max_bytes=64 * 1024) as api:
        assert api.runtime.smtp is not None
        port = api.runtime.smtp.port
        big = _mail(os.urandom(100 * 1024))
        # a relay that declares the size is refused at MAIL FROM (552, permanent: it bounces)
        with pytest.raises(smtplib.SMTPSenderRefused) as declared:
            await asyncio.to_thread(_sendmail, port, big)
        assert declared.value.smtp_code == 552
        # one that does not declare it is refused after DATA, also 552
        answer = await asyncio.to_thread(_send, port, big)
        assert answer["code"] == 552
        assert await _listed(api, within_s=0.3) == []  # nothing half-stored
    assert sum("552" in r.getMessage() for r in caplog.records) >= 2


def _sendmail(port: int, msg: EmailMessage) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.send_message(msg)


async def test_broken_mime_is_kept_in_triage_with_the_raw_message(
    database_url: str, tmp_path: Path
) -> None:
    raw = (
        b"From: lan@example.cn\r\nTo: service@club.example\r\nSubject: broken\r\n"
        b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="XYZ"\r\n\r\n'
        b"no boundary ever starts here\r\n"
    )
    async with smtp_app(database_url, tmp_path / "files") as api:
        assert api.runtime.smtp is not None

        def send() -> tuple[int, bytes]:
            with smtplib.SMTP("127.0.0.1", api.runtime.smtp.port, timeout=10) as smtp:
                smtp.ehlo("relay.example")
                smtp.mail("lan@example.cn")
                smtp.rcpt("service@club.example")
                return smtp.data(raw)

        code, _ = await asyncio.to_thread(send)
        assert code == 250
        (item,) = await _listed(api)
        assert item["status"] == "triage"
        assert "Defect" in item["note"]  # the parser's own names of what is wrong
        (kept,) = [a for a in item["attachments"] if a["filename"] == "original.eml"]
        assert kept["sha256"] == hashlib.sha256(raw).hexdigest()


async def test_a_relay_not_on_the_allow_list_is_refused(database_url: str, tmp_path: Path) -> None:
    async with smtp_app(database_url, tmp_path / "files", smtp_allow=["10.9.8.7"]) as api:
        assert api.runtime.smtp is not None
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            await asyncio.to_thread(_sendmail, api.runtime.smtp.port, _mail())
        assert refused.value.smtp_code == 554
        assert await _listed(api, within_s=0.3) == []


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _database_down(
    database_url: str, tmp_path: Path
) -> tuple[str, Callable[[], Any], TcpProxy | None]:
    """A URL whose database is unreachable now, and how to bring it (migrated) back."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        down = f"sqlite+aiosqlite:///{tmp_path / 'not-yet' / 'callcenter.db'}"

        async def back() -> None:
            (tmp_path / "not-yet").mkdir()
            await upgrade(down)

        return down, back, None
    proxy = TcpProxy("127.0.0.1", _closed_port())
    port = await proxy.start()
    via = url.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)

    async def reconnect() -> None:
        proxy.target = (url.host or "127.0.0.1", url.port or 5432)

    return via, reconnect, proxy


async def test_database_down_answers_451_and_the_retry_is_stored(
    database_url: str, tmp_path: Path
) -> None:
    down, bring_back, proxy = await _database_down(database_url, tmp_path)
    try:
        async with smtp_app(down, tmp_path / "files") as api:
            assert api.runtime.smtp is not None
            port = api.runtime.smtp.port
            mail = _mail(os.urandom(2048))
            answer = await asyncio.to_thread(_send, port, mail)
            assert answer["code"] == 451  # transient: the relay keeps the mail and retries
            await bring_back()
            retried = await asyncio.to_thread(_send, port, mail)
            assert retried["code"] == 250
            (item,) = await _listed(api)  # exactly the one retried mail, nothing from the 451
            assert item["subject"] == "My remittance slip"
    finally:
        if proxy is not None:
            await proxy.close()
