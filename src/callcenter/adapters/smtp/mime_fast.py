"""A fast reader for clean MIME mails: the same message tree as the stdlib parser, or None.

The stdlib's feed parser walks a mail one line at a time in Python; a 100 KB attachment is some
1,400 base64 lines, and that walk was most of the receiver's time per mail. A relay's mail is
nearly always clean, so this splits it with bytes operations (header block, then the parts
between the boundary delimiters, RFC 2046), and lets the stdlib parse only the small header
blocks. Whatever is not plainly clean (bare CR or LF line ends, a header the parser flags, a
multipart without its boundary or closing delimiter, an empty part, a message/* part, a
multipart body with a transfer encoding) answers None, and the caller falls back to the full
parser, which names the defects. Each part's payload is what the feed parser keeps: the body's
text (ASCII with surrogate escapes) without the line end that belongs to the next delimiter.
"""

from __future__ import annotations

import email.policy
import re
from collections.abc import Iterator
from email.message import Message
from email.parser import BytesParser

_HEADERS = BytesParser(policy=email.policy.compat32)
_MAX_DEPTH = 8
_PLAIN_CTE = ("7bit", "8bit", "binary")
_TAIL = re.compile(rb"(--)?[ \t]*(?:\r\n|\Z)")  # after `--boundary` on a delimiter line


def fast_message(raw: bytes) -> Message | None:
    """The mail's message tree when it is clean CRLF MIME, else None (use the full parser)."""
    crlf = raw.count(b"\r\n")
    if raw.count(b"\n") != crlf or raw.count(b"\r") != crlf:
        return None
    return _entity(raw, 0)


def _entity(data: bytes, depth: int) -> Message | None:
    """One entity (the mail or a part): its headers parsed, its body split or kept."""
    if data.startswith(b"\r\n"):
        head, body = b"", data[2:]
    else:
        end = data.find(b"\r\n\r\n")
        if end < 0:
            return None
        head, body = data[: end + 2], data[end + 4 :]
    msg = _HEADERS.parsebytes(head + b"\r\n", headersonly=True)
    if msg.defects or msg.get_payload():
        return None
    maintype = msg.get_content_maintype()
    if maintype == "message":
        return None
    if maintype != "multipart":
        msg.set_payload(body.decode("ascii", "surrogateescape"))
        return msg
    if depth >= _MAX_DEPTH:
        return None
    return _multipart(msg, body, depth)


def _multipart(msg: Message, body: bytes, depth: int) -> Message | None:
    boundary = msg.get_boundary()
    cte = str(msg.get("content-transfer-encoding", "8bit")).lower()
    if not boundary or cte not in _PLAIN_CTE:
        return None
    try:
        separator = ("--" + boundary).encode("ascii")
    except UnicodeEncodeError:
        return None
    msg.set_payload([])  # the parts are attached below
    start = None  # where the current part began
    for at, closing, after in _delimiters(body, separator):
        if start is None:
            if closing:  # a closing delimiter before any part
                return None
            msg.preamble = _text(body[: max(0, at - 2)]) if at else None
        else:
            stop = at - 2  # the CRLF before a delimiter belongs to the delimiter
            if stop < start:  # an empty part between two delimiters: the full parser's case
                return None
            part = _entity(body[start:stop], depth + 1)
            if part is None:
                return None
            msg.attach(part)
        if closing:
            msg.epilogue = _text(body[after:])
            return msg
        start = after
    return None  # no delimiter at all, or no closing one


def _delimiters(body: bytes, separator: bytes) -> Iterator[tuple[int, bool, int]]:
    """Each delimiter line: where it starts, whether it closes, where the next line starts."""
    at = body.find(separator)
    while at >= 0:
        if at == 0 or body[at - 2 : at] == b"\r\n":
            tail = _TAIL.match(body, at + len(separator))
            if tail is not None:
                yield at, bool(tail.group(1)), tail.end()
        at = body.find(separator, at + 1)


def _text(data: bytes) -> str:
    return data.decode("ascii", "surrogateescape")
