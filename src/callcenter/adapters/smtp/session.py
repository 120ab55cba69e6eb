"""The SMTP session: aiosmtpd's, with DATA read in bulk and every refusal logged.

aiosmtpd reads DATA one line at a time through Python (a 100 KB attachment is ~1,800 lines);
this reads up to the `<CRLF>.<CRLF>` terminator in one call, with the stream's limit raised to
the size limit for that read only, so command lines keep aiosmtpd's line-length guard. A mail
over the limit is drained to its end and answered 552, as aiosmtpd does.
"""

from __future__ import annotations

import asyncio
import logging
from typing import AnyStr

from aiosmtpd.smtp import MISSING, SMTP

log = logging.getLogger(__name__)

TERMINATOR = b"\r\n.\r\n"
DRAIN_CHUNK = 65_536


class WorkSMTP(SMTP):
    """One SMTP session of the work-item receiver."""

    async def push(self, status: AnyStr) -> None:
        text = status.decode("ascii", "replace") if isinstance(status, bytes) else str(status)
        if text[:3] in ("552", "500", "554"):
            envelope = self.envelope
            log.warning(
                "smtp: refused a mail from %s (envelope sender %s): %s",
                self.session.peer if self.session else "?",
                envelope.mail_from if envelope else None,
                text,
            )
        await super().push(status)

    async def smtp_DATA(self, arg: str) -> None:
        if await self.check_helo_needed() or await self.check_auth_needed("DATA"):
            return
        assert self.envelope is not None
        if not self.envelope.rcpt_tos:
            await self.push("503 Error: need RCPT command")
            return
        if arg:
            await self.push("501 Syntax: DATA")
            return
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        content = await self._read_data()
        if content is None:
            await self.push("552 Error: Too much mail data")
            self._set_post_data_state()  # type: ignore[no-untyped-call]
            return
        self.envelope.content = content
        self.envelope.original_content = content
        status = await self._call_handler_hook("DATA")
        self._set_post_data_state()  # type: ignore[no-untyped-call]
        await self.push("250 OK" if status is MISSING else status)

    async def _read_data(self) -> bytes | None:
        """The mail with dot-stuffing undone, or None when it was over the size limit."""
        reader = self._reader
        head = await reader.readexactly(3)
        if head == b".\r\n":
            return b""
        limit = self.data_size_limit or 0
        saved = reader._limit  # type: ignore[attr-defined]
        reader._limit = limit + len(TERMINATOR) if limit else 2**62  # type: ignore[attr-defined]
        try:
            rest = await reader.readuntil(TERMINATOR)
        except asyncio.LimitOverrunError:
            await self._drain()
            return None
        finally:
            reader._limit = saved  # type: ignore[attr-defined]
        data = head + rest[:-3]  # keep the last line's CRLF, drop ".\r\n"
        if limit and len(data) > limit:
            return None
        if data.startswith(b".."):
            data = data[1:]
        return data.replace(b"\r\n..", b"\r\n.")

    async def _drain(self) -> None:
        """Read and drop the rest of an oversized mail, up to its terminator."""
        tail = b""
        while True:
            chunk = await self._reader.read(DRAIN_CHUNK)
            if not chunk:
                raise ConnectionResetError("connection closed during DATA")
            window = tail + chunk
            if TERMINATOR in window:
                return
            tail = window[-(len(TERMINATOR) - 1) :]
