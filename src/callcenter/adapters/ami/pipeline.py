"""AMI messages -> translate -> CallTracker: shared by `callcenter replay` and the live listener."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from callcenter.adapters.ami.actions import customer_dial_of
from callcenter.adapters.ami.protocol import CallCenterAMIProtocol, MessageDispatcher
from callcenter.adapters.ami.translate import stream_time, translate, wanted_frame
from callcenter.domain.calls import CallTracker
from callcenter.domain.calls import events as ev
from callcenter.domain.calls.facts import Fact
from callcenter.ports.pbx import PbxSnapshot, PbxWatcher

log = logging.getLogger(__name__)

Clock = Callable[[Mapping[str, str]], float]


class StreamClock:
    """Time as the stream proves it (Uniqueid epochs, DIALEDTIME_MS, EventTV): whole seconds."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self, message: Mapping[str, str]) -> float:
        seen = stream_time(message)
        if seen > self.now:
            self.now = seen
        return self.now


class RecordedClock:
    """Receipt times from a recording's .jsonl (`t` since connect), anchored on stream epochs."""

    def __init__(self, events: Sequence[tuple[float, str]], base: float) -> None:
        self._events = events
        self._base = base
        self._index = 0
        self._fallback: StreamClock | None = None

    @classmethod
    def from_jsonl(cls, lines: Iterable[str]) -> RecordedClock:
        """Read `{"t":..., "msg":{...}}` lines; only events count (responses are not dispatched)."""
        events: list[tuple[float, str]] = []
        base = 0.0
        for line in lines:
            if not line.strip():
                continue
            row = json.loads(line)
            msg = row.get("msg")
            if not isinstance(msg, dict) or "Event" not in msg:
                continue
            t = float(row["t"])
            frame = "\r\n".join(f"{k}: {v}" for k, v in msg.items())
            if wanted_frame(frame):  # the same frames the protocol lets through
                events.append((t, str(msg["Event"])))
            # Epochs are whole seconds rounded down, so each one is a lower bound of connect time.
            base = max(base, stream_time(msg) - t)
        return cls(events, base)

    def __call__(self, message: Mapping[str, str]) -> float:
        if self._fallback is None:
            # Frames dropped unparsed are skipped here too: find the next event of this name.
            name = message.get("Event")
            for i in range(self._index, min(len(self._events), self._index + 10_000)):
                if self._events[i][1] == name:
                    self._index = i + 1
                    return self._base + self._events[i][0]
            log.warning("recorded times stop matching at event %d; using stream time", self._index)
            self._fallback = StreamClock()
        return self._fallback(message)


class AmiPipeline:
    """Feeds AMI messages through translate into one CallTracker; collects the facts in order."""

    def __init__(
        self,
        *,
        pbx: str = "asterisk",
        region: str = "CN",
        clock: Clock | None = None,
        tracker: CallTracker | None = None,
        on_fact: Callable[[Fact], None] | None = None,
    ) -> None:
        self.pbx = pbx
        self.tracker = tracker or CallTracker(region=region)
        self._clock: Clock = clock or StreamClock()
        self._on_fact = on_fact
        self._facts: list[Fact] = []
        self.messages = 0
        self.failed = 0
        # Calls with events between a login and its resync: the lists may predate them.
        self._since_login: set[str] | None = None
        # Told of connection changes and resyncs (running campaigns settle their dials).
        self.watchers: list[PbxWatcher] = []

    # -- inputs ----------------------------------------------------------------------------

    def feed_message(self, message: Mapping[str, str]) -> None:
        """The one synchronous callback: timestamps with the pipeline's clock, then handles."""
        self.handle(message, pbx=self.pbx, at=self._clock(message))

    def handle(self, message: Mapping[str, str], *, pbx: str, at: float) -> None:
        """One AMI event message received at `at` from PBX `pbx`."""
        self.messages += 1
        for event in translate(message, pbx=pbx, at=at):
            if self._since_login is not None:
                linkedid = getattr(event, "linkedid", None)
                if linkedid:
                    self._since_login.add(linkedid)
            self._apply(event)

    def resync(self, messages: Sequence[Mapping[str, Any]], *, pbx: str, at: float) -> None:
        """A reconnect's QueueStatus + CoreShowChannels lists: seed state, close vanished calls."""
        # Events that came in while the lists were fetched are queued ahead of them, yet the
        # lists may have been made before those calls began: such calls are live, not gone.
        live: set[str] = set(self._since_login or ())
        self._since_login = None
        dialling: dict[str, str] = {}
        for message in messages:
            for event in translate(message, pbx=pbx, at=at):
                if isinstance(event, ev.ChannelSnapshotSeen):
                    live.add(event.linkedid)
                    dial = customer_dial_of(event.channel)
                    if dial is not None:
                        dialling[dial] = event.linkedid
                self._apply(event)
        self._emit(self.tracker.close_missing(pbx, live, at))
        snapshot = PbxSnapshot(pbx, frozenset(live), dialling)
        for watcher in self.watchers:
            watcher.resynced(snapshot)

    def connection_changed(self, *, pbx: str, connected: bool, at: float) -> None:
        """Connection up/down: nothing to decide until the resync after a reconnect."""
        self._since_login = set() if connected else None
        for watcher in self.watchers:
            watcher.connection_changed(pbx, connected)
        log.info("AMI %s %s", pbx, "connected" if connected else "disconnected")

    def tick(self, at: float) -> None:
        """Let time-driven facts happen (agents leaving wrap-up)."""
        self._emit(self.tracker.tick(at))

    # -- outputs ---------------------------------------------------------------------------

    def drain(self) -> list[Fact]:
        """Facts produced since the last drain, oldest first."""
        facts, self._facts = self._facts, []
        return facts

    def protocol(self) -> CallCenterAMIProtocol:
        """A protocol whose events come straight here (no Manager): for replays and benchmarks."""
        protocol = CallCenterAMIProtocol()
        protocol.connection_made(_NullTransport())
        protocol.factory = MessageDispatcher(self.feed_message)
        protocol.encoding = "utf-8"
        protocol.frame_filter = wanted_frame
        return protocol

    def feed_bytes(self, data: bytes, *, chunk_size: int = 65536) -> None:
        """Run a recorded byte stream through a fresh protocol, `chunk_size` bytes per read."""
        protocol = self.protocol()
        for start in range(0, len(data), chunk_size):
            protocol.data_received(data[start : start + chunk_size])
        protocol.flush()

    def _apply(self, event: ev.DomainEvent) -> None:
        try:
            facts = self.tracker.apply(event)
        except Exception:
            # A state machine bug on one event must not stop the stream.
            self.failed += 1
            log.exception("call tracking failed on %r; event skipped", event)
            return
        self._emit(facts)

    def _emit(self, facts: list[Fact]) -> None:
        if self._on_fact is None:
            self._facts.extend(facts)
            return
        for fact in facts:
            self._on_fact(fact)


class _NullTransport:
    """Nothing to write to in a replay; actions are never sent."""

    def write(self, data: bytes) -> None:
        raise RuntimeError("a replay cannot send AMI actions")

    def close(self) -> None:
        pass
