"""AMI framing: CRLF `Key: Value` lines, a blank line ends a message."""

from __future__ import annotations

import asyncio

from callcenter.sim.model import Message

BANNER = b"Asterisk Call Manager/13.0.0\r\n"
MAX_LINE = 65536


def encode(msg: Message) -> bytes:
    """One message as Asterisk writes it (UTF-8, CRLF, blank line at the end)."""
    return ("".join(f"{k}: {v}\r\n" for k, v in msg) + "\r\n").encode("utf-8")


async def read_message(reader: asyncio.StreamReader) -> dict[str, str | list[str]] | None:
    """Read one action; repeated keys (Variable) become lists. None at end of stream."""
    action: dict[str, str | list[str]] = {}
    while True:
        raw = await reader.readline()
        if not raw:
            return None
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        if not line:
            if action:
                return action
            continue
        key, sep, value = line.partition(":")
        if not sep:
            continue  # a line without a colon is ignored, as manager.c does
        key, value = key.strip(), value.strip()
        old = action.get(key)
        if old is None:
            action[key] = value
        elif isinstance(old, list):
            old.append(value)
        else:
            action[key] = [old, value]
