"""Act as Asterisk's dialplan towards a FastAGI server: send the agi_* block, obey SET VARIABLE."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlsplit

from callcenter.sim.model import Channel

log = logging.getLogger(__name__)
AGI_VERSION = "GIT-master-f0c1c1a7b7"


def agi_environment(url: str, ch: Channel, *, args: list[str], pres: int) -> list[str]:
    """The agi_* lines in the order Asterisk sends them (see the recorded *.agi.txt), then the
    application's arguments as agi_arg_N. The shipped dialplan runs the hook from [cc-route]
    exten s, so agi_extension is `s` and agi_dnid `unknown` for a Local channel."""
    script = urlsplit(url).path.lstrip("/")
    callerid = ch.cid_num if ch.cid_num != "<unknown>" else "unknown"
    name = ch.cid_name if ch.cid_name != "<unknown>" else "unknown"
    pairs = [
        ("network", "yes"),
        ("network_script", script),
        ("request", url),
        ("channel", ch.name),
        ("language", "en"),
        ("type", "Local"),
        ("uniqueid", ch.uniqueid),
        ("version", AGI_VERSION),
        ("callerid", callerid),
        ("calleridname", name),
        ("callingpres", str(pres)),
        ("callingani2", "0"),
        ("callington", "0"),
        ("callingtns", "0"),
        ("dnid", "unknown"),
        ("rdnis", "unknown"),
        ("context", ch.context),
        ("extension", ch.exten),
        ("priority", ch.priority),
        ("enhanced", "0.0"),
        ("accountcode", ""),
        ("threadid", "140484767831744"),
    ]
    pairs += [(f"arg_{n}", arg) for n, arg in enumerate(args, start=1)]
    return [f"agi_{k}: {v}" for k, v in pairs]


async def run_agi(
    url: str, ch: Channel, *, args: list[str], pres: int, deadline_s: float
) -> dict[str, str]:
    """One FastAGI session; returns the variables the server set. Raises on connect/timeout."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 4573
    variables: dict[str, str] = {}

    async def session() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            block = "".join(line + "\n" for line in agi_environment(url, ch, args=args, pres=pres))
            writer.write((block + "\n").encode())
            await writer.drain()
            while True:
                raw = await reader.readline()
                if not raw:
                    return
                command = raw.decode("utf-8", "replace").strip()
                words = command.split(" ", 3)
                if len(words) >= 3 and words[0].upper() == "SET" and words[1].upper() == "VARIABLE":
                    value = words[3] if len(words) > 3 else ""
                    variables[words[2]] = value.strip('"')
                    writer.write(b"200 result=1\n")
                elif command.upper().startswith("HANGUP"):
                    writer.write(b"200 result=1\n")
                else:
                    writer.write(b"200 result=0\n")
                await writer.drain()
        finally:
            writer.close()

    async with asyncio.timeout(deadline_s):
        await session()
    return variables
