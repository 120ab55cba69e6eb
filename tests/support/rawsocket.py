"""A bare websocket desktop over a raw socket: thousands of them cost the test little CPU."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import struct


def client_frame(payload: bytes, opcode: int = 0x1) -> bytes:
    """A masked client frame (mask key zero: the payload goes as is)."""
    size = len(payload)
    head = bytes([0x80 | opcode])
    if size < 126:
        head += bytes([0x80 | size])
    else:
        head += bytes([0x80 | 126]) + struct.pack("!H", size)
    return head + b"\0\0\0\0" + payload


class Desktop:
    """A bare websocket client: a handshake and a hello, then it only listens for a close."""

    def __init__(self, port: int, token: str) -> None:
        key = base64.b64encode(os.urandom(16)).decode()
        self.request = (
            f"GET /ws/agent HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
        self.hello = client_frame(json.dumps({"type": "hello", "token": token}).encode())
        self.port = port
        self.upgraded = False
        self.closed_with: bytes | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.reader: asyncio.StreamReader | None = None

    async def connect(self, hello: bool = True) -> None:
        """Upgrade, then say hello (as a browser does: after the upgrade, not with it)."""
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.writer.write(self.request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        self.upgraded = head.startswith(b"HTTP/1.1 101")
        if hello:
            self.say_hello()

    def say_hello(self) -> None:
        assert self.writer is not None
        self.writer.write(self.hello)

    async def refused(self, seconds: float) -> bool:
        """Whether the server closed the socket (e.g. 1013) within `seconds`."""
        assert self.reader is not None
        try:
            async with asyncio.timeout(seconds):
                while data := await self.reader.read(4096):
                    if data[0] & 0x0F == 0x8:  # a close frame
                        self.closed_with = data[2:4]
                        return True
                return True  # EOF
        except TimeoutError:
            return False

    def close(self) -> None:
        if self.writer is not None:
            self.writer.transport.abort()
