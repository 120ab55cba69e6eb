"""What the AMI session and its action handlers need from the simulated PBX (no import of the
server itself, so sessions, actions and the server do not import each other in a circle)."""

from __future__ import annotations

import asyncio
from typing import Protocol

from callcenter.sim.model import Message, PbxModel
from callcenter.sim.recording import Recorder


class AmiClient(Protocol):
    """One connected AMI session as the PBX sees it."""

    authenticated: bool
    events: bool
    writer: asyncio.StreamWriter

    def send(self, data: bytes) -> None: ...


class AmiHost(Protocol):
    """The simulated PBX as the AMI layer uses it."""

    username: str
    secret: str
    epoch: float
    model: PbxModel
    recorder: Recorder
    sessions: set[AmiClient]
    first_login: asyncio.Event

    def now(self) -> float: ...

    def emit(self, msg: Message) -> None: ...

    def start_originate(self, action: dict[str, str | list[str]]) -> str | None: ...

    def interrupt(self, channel: str, kind: str, exten: str, context: str) -> bool: ...
