"""MixMonitor: the Queue() gosub's recording, the AMI actions, and a small real WAV per file."""

from __future__ import annotations

import logging
import math
import struct
import wave
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from callcenter.sim import events as ev
from callcenter.sim.model import Channel, Message

log = logging.getLogger(__name__)
DEFAULT_SPOOL = PurePosixPath("/var/spool/asterisk/monitor")  # Asterisk's default
RATE = 8000
WAV_SECONDS = 1.0


def write_wav(path: Path, seconds: float = WAV_SECONDS) -> None:
    """A short 8 kHz mono 16-bit file with a quiet tone (MixMonitor's .wav format)."""
    frames = int(RATE * seconds)
    tone = (int(800 * math.sin(2 * math.pi * 440 * n / RATE)) for n in range(frames))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(b"".join(struct.pack("<h", s) for s in tone))


@dataclass
class Recordings:
    """Running MixMonitors by channel name; files land in `spool` when it is a real folder."""

    spool: Path | None = None
    active: dict[str, str] = field(default_factory=dict)  # channel -> full path
    files: list[str] = field(default_factory=list)  # every path started, in order

    def path_for(self, filename: str) -> str:
        """Asterisk puts a relative name under the monitor spool directory."""
        if filename.startswith("/"):
            return filename
        base = self.spool if self.spool is not None else DEFAULT_SPOOL
        return str(base / filename)


RECORD_GOSUB = "cc-record"  # the shipped dialplan's MixMonitor gosub (Queue() and Dial() U())


def recording_name(pbx_name: str, linkedid: str) -> str:
    """The file `[cc-record]` names: `${CC_PBX}-${CHANNEL(linkedid)}.wav`."""
    return f"{pbx_name}-{linkedid}.wav"


class Recorder:
    """MixMonitor as the switch runs it; events go out through `emit`."""

    def __init__(self, emit: Callable[[Message], None], spool: Path | None) -> None:
        self._emit = emit
        self._captured: list[Message] | None = None
        self.state = Recordings(spool=spool)

    def _send(self, msg: Message) -> None:
        if self._captured is not None:
            self._captured.append(msg)
        else:
            self._emit(msg)

    @contextmanager
    def capturing(self) -> Iterator[list[Message]]:
        """Hold events back (an action's reply goes out before its events)."""
        held: list[Message] = []
        self._captured = held
        try:
            yield held
        finally:
            self._captured = None

    def start(self, ch: Channel, filename: str, *, context: str = "", noise: bool = True) -> str:
        """MixMonitor(filename) on `ch`: VarSet MIXMONITOR_FILENAME, MixMonitorStart; the file."""
        full = self.state.path_for(filename)
        saved = (ch.context, ch.exten, ch.priority)
        if context:
            ch.context, ch.exten, ch.priority = context, "s", "1"
            if noise:
                self._send(ev.newexten(ch, "MixMonitor", filename))
        self._send(ev.varset(ch, "MIXMONITOR_FILENAME", full))
        self._send(ev.chan_event("MixMonitorStart", ch))
        if context:
            ch.priority = "2"
            if noise:
                self._send(ev.newexten(ch, "Return"))
            ch.context, ch.exten, ch.priority = saved
        self.state.active[ch.name] = full
        self.state.files.append(full)
        if self.state.spool is not None:
            try:
                self.state.spool.mkdir(parents=True, exist_ok=True)
                write_wav(Path(full))
            except OSError as exc:
                log.warning("could not write recording %s: %s", full, exc)
        return full

    def mute(self, ch: Channel, direction: str, state: str) -> bool:
        """MixMonitorMute: False when no MixMonitor runs on the channel."""
        if ch.name not in self.state.active:
            return False
        self._send(ev.chan_event("MixMonitorMute", ch, ("Direction", direction), ("State", state)))
        return True

    def stop(self, ch: Channel) -> bool:
        """StopMixMonitor: MixMonitorStop; False when none runs."""
        if self.state.active.pop(ch.name, None) is None:
            return False
        self._send(ev.chan_event("MixMonitorStop", ch))
        return True

    def channel_gone(self, ch: Channel) -> None:
        """A hang-up ends the recording silently (no MixMonitorStop, as recorded)."""
        self.state.active.pop(ch.name, None)
