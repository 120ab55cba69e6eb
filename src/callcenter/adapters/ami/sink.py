"""What the AMI listener delivers its messages to (the pipeline in production)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

Message = Mapping[str, Any]


class AmiSink(Protocol):
    """Where the listener delivers messages, in arrival order, from one consumer task."""

    def handle(self, message: Message, *, pbx: str, at: float) -> None: ...

    def resync(self, messages: Sequence[Message], *, pbx: str, at: float) -> None: ...

    def connection_changed(self, *, pbx: str, connected: bool, at: float) -> None: ...
