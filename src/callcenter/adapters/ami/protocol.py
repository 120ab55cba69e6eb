"""panoramisk's AMI protocol, made safe for UTF-8 split across reads and for junk on the wire."""

from __future__ import annotations

import codecs
import logging
from collections.abc import Callable
from typing import Any

from panoramisk.ami_protocol import AMIProtocol
from panoramisk.message import Message

log = logging.getLogger(__name__)

EOL = "\r\n"
FRAME_END = EOL + EOL
BANNER = "Asterisk Call Manager/"
# A frame longer than this never ends: drop it rather than buffer forever.
MAX_FRAME_CHARS = 1 << 20


class AmiMessage(Message):  # type: ignore[misc]
    """panoramisk's message with a `get` that does not raise for a missing header.

    Mapping.get goes through __getitem__ and catches KeyError; most events lack most of the
    headers the translation asks for, so every miss paid for an exception. panoramisk 1.4 keeps
    headers as `_store[lower-cased name] = (name, value)`; this reads that once.
    """

    def get(self, key: str, default: Any = None) -> Any:
        item = self._store.get(key.lower())
        return default if item is None else item[1]


class MessageDispatcher:
    """A stand-in for panoramisk's Manager when there is no connection (replays, benchmarks)."""

    def __init__(self, on_event: Callable[[Message], None]) -> None:
        self.on_event = on_event
        self.lost: object = None

    def dispatch(self, message: Message) -> None:
        """Hand one event message on, synchronously."""
        self.on_event(message)

    def connection_lost(self, exc: object) -> None:
        """Remember why the stream ended."""
        self.lost = exc


class CallCenterAMIProtocol(AMIProtocol):  # type: ignore[misc]
    """Decodes incrementally (a character split across reads arrives whole); skips bad frames."""

    skipped = 0
    version: str | None
    # Optional cheap test on the raw frame; False drops it before panoramisk parses it.
    frame_filter: Callable[[str], bool] | None = None

    def connection_made(self, transport: Any) -> None:
        """Start a fresh session: new decoder, empty buffer."""
        super().connection_made(transport)
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending = ""
        self.skipped = 0

    def data_received(self, data: bytes) -> None:
        """Split the byte stream into frames and hand each good one to panoramisk's handling."""
        text = self._decoder.decode(data)
        if not text:
            return
        buffer = self._pending + text if self._pending else text
        if self.version is None and buffer.startswith(BANNER) and EOL in buffer:
            banner, _, buffer = buffer.partition(EOL)
            self.version = banner[len(BANNER) :].strip()
            log.info("AMI protocol version %s", self.version)
        frames = buffer.split(FRAME_END)
        self._pending = frames.pop()
        if len(self._pending) > MAX_FRAME_CHARS:
            log.warning("AMI: dropped %d characters without a frame end", len(self._pending))
            self._pending = ""
            self.skipped += 1
        for frame in frames:
            self._frame(frame)

    def _frame(self, frame: str) -> None:
        frame = frame.strip()
        if not frame or (self.frame_filter is not None and not self.frame_filter(frame)):
            return
        message = AmiMessage.from_line(frame)
        if message is None:
            self.skipped += 1
            log.warning("AMI: skipped a frame with no Event or Response: %.80r", frame)
            return
        if not isinstance(message.get("Event", ""), str):
            self.skipped += 1  # two frames run together (a lost blank line): no single meaning
            log.warning("AMI: skipped a frame with several Event headers: %.80r", frame)
            return
        try:
            self.handle_message(message)
        except Exception:
            # A consumer's error must not tear down the connection or lose later frames.
            self.skipped += 1
            log.exception("AMI: handling a message failed; skipped")

    def flush(self) -> None:
        """At the end of a stream: a frame without its blank line is truncated, so skipped."""
        tail = self._pending + self._decoder.decode(b"", final=True)
        self._pending = ""
        if tail.strip():
            self.skipped += 1
            log.warning("AMI: skipped a truncated frame at the end: %.80r", tail)
