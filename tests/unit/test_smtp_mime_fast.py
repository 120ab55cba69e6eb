"""The SMTP receiver's fast MIME reader gives the stdlib parser's message tree for clean mails,
and steps aside (None) for anything the stdlib parser would flag, so no defect goes unnamed."""

from __future__ import annotations

import email
import email.policy
import os
from email.message import EmailMessage, Message
from typing import Any

import pytest

from callcenter.adapters.smtp.mime import parse_mail
from callcenter.adapters.smtp.mime_fast import fast_message

CRLF = email.policy.default.clone(linesep="\r\n")


def _tree(msg: Message) -> list[Any]:
    """Everything a reader of the mail sees, part by part."""
    out: list[Any] = []
    for part in msg.walk():
        leaf = None if part.is_multipart() else part.get_payload(decode=True)
        out.append(
            (
                list(part.items()),
                part.get_content_type(),
                part.get_filename(),
                part.get_content_charset(),
                leaf,
                [type(d).__name__ for d in part.defects],
            )
        )
    return out


def _stdlib(raw: bytes) -> Message:
    return email.message_from_bytes(raw, policy=email.policy.compat32)


def _base(subject: str = "Remittance slip 7") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Chen Lan <chen.lan@example.cn>"
    msg["To"] = "finance@club.example"
    msg["Subject"] = subject
    return msg


def plain_ascii() -> bytes:
    msg = _base()
    msg.set_content("Member 12345\n.leading dot line\n")
    return msg.as_bytes(policy=CRLF)


def chinese_text() -> bytes:
    msg = _base("汇款单 第七号")
    msg.set_content("我已经付款了，订单 BK-2026-0042。\n" * 20)
    return msg.as_bytes(policy=CRLF)


def slip_with_attachment() -> bytes:
    msg = _base()
    msg.set_content("My slip is attached.")
    msg.add_attachment(os.urandom(30_000), maintype="image", subtype="png", filename="slip.png")
    return msg.as_bytes(policy=CRLF)


def alternative_and_two_files() -> bytes:
    msg = _base()
    msg.set_content("plain text body")
    msg.add_alternative("<p>html <b>body</b></p>", subtype="html")
    msg.add_attachment(b"%PDF-1.4 fake", maintype="application", subtype="pdf", filename="a.pdf")
    msg.add_attachment("名单\n", filename="名单.txt")
    return msg.as_bytes(policy=CRLF)


def quoted_printable() -> bytes:
    msg = _base()
    msg.set_content("Grüße aus Gütersloh " * 10, cte="quoted-printable")
    msg.add_attachment(b"x" * 100, maintype="application", subtype="octet-stream")
    return msg.as_bytes(policy=CRLF)


def preamble_epilogue_and_loose_delimiters() -> bytes:
    return (
        b"From: a@example.cn\r\nSubject: hand-made\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n'
        b"This is a preamble.\r\n--b1 \t\r\n"
        b"\r\nno headers in this part; a line x--b1 is no delimiter\r\n--b1\r\n"
        b"Content-Type: text/plain\r\n\r\nsecond part, --b1 mid-line\r\n\r\n--b1--\r\n"
        b"an epilogue\r\n"
    )


CLEAN = [
    plain_ascii,
    chinese_text,
    slip_with_attachment,
    alternative_and_two_files,
    quoted_printable,
    preamble_epilogue_and_loose_delimiters,
]


@pytest.mark.parametrize("make", CLEAN, ids=lambda f: f.__name__)
def test_a_clean_mail_reads_as_the_stdlib_reads_it(make: Any) -> None:
    raw = make()
    fast = fast_message(raw)
    assert fast is not None
    assert _tree(fast) == _tree(_stdlib(raw))
    assert (fast.preamble, fast.epilogue) == (_stdlib(raw).preamble, _stdlib(raw).epilogue)
    parsed = parse_mail(raw, None)
    assert parsed.problems == ()
    assert parsed.sender in ("chen.lan@example.cn", "a@example.cn")


def bare_newlines() -> bytes:
    return slip_with_attachment().replace(b"\r\n", b"\n")


def no_closing_delimiter() -> bytes:
    raw = slip_with_attachment()
    return raw[: raw.rindex(b"--==")]


def no_boundary_parameter() -> bytes:
    return b"From: a@example.cn\r\nContent-Type: multipart/mixed\r\n\r\nbody\r\n"


def forwarded_message() -> bytes:
    msg = _base()
    msg.set_content("see below")
    inner = _base("inner")
    inner.set_content("the forwarded text")
    msg.add_attachment(inner)
    return msg.as_bytes(policy=CRLF)


def empty_part() -> bytes:
    return (
        b'From: a@example.cn\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\n--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--\r\n"
    )


def header_without_colon() -> bytes:
    return b"From: a@example.cn\r\nthis is not a header\r\nSubject: s\r\n\r\nbody\r\n"


@pytest.mark.parametrize(
    "make",
    [
        bare_newlines,
        no_closing_delimiter,
        no_boundary_parameter,
        forwarded_message,
        empty_part,
        header_without_colon,
    ],
    ids=lambda f: f.__name__,
)
def test_anything_unusual_is_left_to_the_stdlib_parser(make: Any) -> None:
    raw = make()
    assert fast_message(raw) is None
    # and the receiver still reads it, naming the stdlib's defects where it finds any
    parsed = parse_mail(raw, "relay@example.cn")
    stdlib_defects = [d for part in _stdlib(raw).walk() for d in part.defects]
    assert bool(parsed.problems) == bool(stdlib_defects)
