"""A received mail as a work item's parts: sender, subject, text body, attachments, defects.

Broken MIME is not refused: what could be read is kept, the whole raw message is attached as
`original.eml`, and the defects are named so the item goes to triage for a person to look at.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.message import Message
from email.utils import parseaddr

from callcenter.adapters.smtp.mime_fast import fast_message
from callcenter.services.work_requests import IncomingFile

MAX_SUBJECT = 500
_TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class ParsedMail:
    """What a mail gives a work item."""

    sender: str | None
    subject: str
    body: str
    files: tuple[IncomingFile, ...]
    problems: tuple[str, ...]  # non-empty: the item goes to triage with these reasons


def parse_mail(raw: bytes, envelope_from: str | None) -> ParsedMail:
    """Read a mail; never raises (a mail it cannot read at all is kept whole as a file)."""
    try:
        # compat32: the modern policy parses every header into objects, twice the time per mail
        msg = fast_message(raw) or email.message_from_bytes(raw, policy=email.policy.compat32)
        return _parts(msg, raw, envelope_from)
    except Exception as exc:  # the stdlib parser raises on some malformed headers
        return ParsedMail(
            sender=_address(envelope_from),
            subject="(unreadable mail)",
            body="",
            files=(IncomingFile("original.eml", "message/rfc822", raw),),
            problems=(f"unreadable MIME: {type(exc).__name__}: {exc}"[:300],),
        )


def _parts(msg: Message, raw: bytes, envelope_from: str | None) -> ParsedMail:
    problems = [f"{type(d).__name__}" for d in msg.defects]
    subject = " ".join(_header(msg, "subject").split())[:MAX_SUBJECT]
    sender = _address(_header(msg, "from")) or _address(envelope_from)
    texts: list[str] = []
    html: list[str] = []
    files: list[IncomingFile] = []
    for part in msg.walk() if msg.is_multipart() else [msg]:
        problems += [f"{type(d).__name__}" for d in part.defects if part is not msg]
        if part.is_multipart():
            continue
        filename = part.get_filename()
        disposition = part.get_content_disposition()
        data = _payload(part, problems)
        if data is None:
            continue
        if filename or disposition == "attachment" or part.get_content_maintype() not in ("text",):
            files.append(IncomingFile(filename or "attachment", part.get_content_type(), data))
        elif part.get_content_subtype() == "html":
            html.append(_text(part, data))
        else:
            texts.append(_text(part, data))
    body = "\n".join(texts) if texts else _TAGS.sub("", "\n".join(html))
    if problems:
        files.append(IncomingFile("original.eml", "message/rfc822", raw))
    return ParsedMail(sender, subject, body.replace("\x00", ""), tuple(files), tuple(problems))


def _header(msg: Message, name: str) -> str:
    """A header's text with RFC 2047 encoded words decoded ('' when absent or unreadable)."""
    value = msg.get(name)
    if value is None:
        return ""
    try:
        return str(make_header(decode_header(str(value))))
    except (LookupError, ValueError, UnicodeError):
        return str(value)


def _payload(part: Message, problems: list[str]) -> bytes | None:
    try:
        data = part.get_payload(decode=True)
    except Exception as exc:
        problems.append(f"undecodable part: {type(exc).__name__}")
        return None
    return data if isinstance(data, bytes) else None


def _text(part: Message, data: bytes) -> str:
    charset = part.get_content_charset() or "utf-8"
    try:
        return data.decode(charset, errors="replace")
    except LookupError:  # an unknown charset name
        return data.decode("utf-8", errors="replace")


def _address(text: str | None) -> str | None:
    if not text:
        return None
    _, addr = parseaddr(text)
    addr = addr.strip()
    return addr if "@" in addr.strip("@") and len(addr) <= 320 else None
