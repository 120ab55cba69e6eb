"""In-process push hub: seq per channel, backlog bounded by count, bytes, age; bounded queues."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Collection, Mapping
from typing import Any

from callcenter.adapters.push.channels import Channel, HubStats, Relay, clear
from callcenter.adapters.push.protocol import RESYNC, WALLBOARD, ProtocolError, Template, encode
from callcenter.adapters.push.subscription import Subscription
from callcenter.settings import Settings

log = logging.getLogger(__name__)

__all__ = ["HubStats", "PushHub", "Subscription"]


class PushHub:
    """Channels (`agent:<code>`, `wallboard`) with seq, backlog and never-blocking fan-out.

    Event loop thread only; `publish` never awaits: a slow client holds up no one else.
    """

    def __init__(
        self,
        *,
        backlog: int = 500,
        queue_size: int = 256,
        generation: str | None = None,
        backlog_for: Mapping[str, int] | None = None,
        backlog_bytes: int = 64 * 1024,
        backlog_age_s: float = 120.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if backlog < 1 or queue_size < 1 or any(n < 1 for n in (backlog_for or {}).values()):
            raise ValueError("backlog and queue_size must be at least 1")
        self.backlog_size = backlog
        self.backlog_bytes, self.backlog_age_s, self._clock = backlog_bytes, backlog_age_s, clock
        self._swept_at = clock()
        # Channels whose every message is a whole snapshot need no history (the wallboard).
        self._backlog_for = dict(backlog_for or {})
        self.queue_size = queue_size
        # A new generation per hub: seqs of a restarted process (or another node) mean nothing here
        self.generation = generation or secrets.token_hex(6)
        self.stats = HubStats()
        self._channels: dict[str, Channel] = {}
        self._next_key = 0
        self._relay: Relay | None = None
        self._local_only: frozenset[str] = frozenset()

    @classmethod
    def from_settings(cls, settings: Settings) -> PushHub:
        """A hub sized by `ws_backlog` and `ws_queue_size`."""
        return cls(
            backlog=settings.ws_backlog,
            queue_size=settings.ws_queue_size,
            backlog_for={WALLBOARD: 1},
            backlog_bytes=settings.ws_backlog_bytes,
            backlog_age_s=settings.ws_backlog_age_s,
        )

    def _state(self, channel: str, seq: int = 0) -> Channel:
        """The channel's state, created on first use with its backlog bound."""
        state = self._channels.get(channel)
        if state is None:
            limit = self._backlog_for.get(channel, self.backlog_size)
            state = self._channels[channel] = Channel(limit=limit, seq=seq)
        return state

    def current_seq(self, channel: str) -> int:
        """The seq of the last message published on the channel (0 before the first)."""
        state = self._channels.get(channel)
        return state.seq if state is not None else 0

    def subscriber_count(self, channel: str | None = None) -> int:
        """Live subscriptions on one channel, or on all of them."""
        if channel is not None:
            state = self._channels.get(channel)
            return len(state.subscribers) if state is not None else 0
        return sum(len(s.subscribers) for s in self._channels.values())

    def publish(self, channel: str, type_: str, payload: Mapping[str, Any] | None = None) -> int:
        """Send a message to every subscriber of the channel; returns its seq (0: sequenced later).

        With a relay (the cluster bus) the message leaves through it and comes back through
        `deliver`; channels marked local-only are always sequenced here.
        """
        template = Template.of(type_, payload)  # a bad payload raises, seq unused
        if self._relay is not None and channel not in self._local_only:
            self._relay(channel, template)
            return 0
        return self.publish_local(channel, template)

    def publish_local(self, channel: str, template: Template) -> int:
        """Sequence a message in this process and fan it out; returns its seq."""
        state = self._state(channel)
        seq = state.seq + 1
        self._append(state, seq, template.text(seq, self.generation))
        self.stats.published += 1
        return seq

    def relay_through(
        self, relay: Relay | None, *, local_only: Collection[str] = frozenset()
    ) -> None:
        """Send published messages through `relay` (None: back to in-process sequencing)."""
        self._relay = relay
        self._local_only = frozenset(local_only)

    def deliver(self, channel: str, seq: int, generation: str, text: str) -> bool:
        """Fan out a message sequenced elsewhere; False when it is old news or another generation.

        A gap in the seqs means this process missed messages: the backlog restarts after
        the gap and current subscribers are told to resync.
        """
        if generation != self.generation:
            return False
        state = self._state(channel)
        if seq <= state.seq:
            self.stats.duplicates += 1
            return False
        if seq > state.seq + 1:
            self.stats.gaps += 1
            log.warning("push: %s jumped from seq %d to %d", channel, state.seq, seq)
            clear(state)
            state.seq = seq - 1
            self._resync_subscribers(state)
        self._append(state, seq, text)
        self.stats.delivered += 1
        return True

    def adopt_generation(self, generation: str, seqs: Mapping[str, int]) -> None:
        """Take a generation and the last seq of each channel from elsewhere (the cluster bus).

        A new generation restarts every relayed channel (its subscribers get a resync); in the
        same generation only channels whose seq moved on without us are restarted.
        """
        changed = generation != self.generation
        self.generation = generation
        for name, state in self._channels.items():
            if name in self._local_only:
                continue
            known = seqs.get(name, 0)
            if changed or known > state.seq:
                clear(state)
                state.seq = known
                self._resync_subscribers(state)
        for name, known in seqs.items():
            self._state(name, seq=known)

    def _append(self, state: Channel, seq: int, text: str) -> None:
        state.seq = seq
        now = self._clock()
        state.backlog.append((seq, text, now))
        state.size += len(text)
        self._trim(state, now)
        if now - self._swept_at >= min(self.backlog_age_s / 4, 30.0):
            self.prune()  # quiet channels too: nothing older than the age bound stays in memory
        for sub in list(state.subscribers.values()):
            if not sub.offer(text):
                self._cut_off(sub)

    def prune(self) -> None:
        """Drop every backlog entry older than the age bound."""
        self._swept_at = now = self._clock()
        for state in self._channels.values():
            self._trim(state, now)

    def backlog_chars(self) -> int:
        """Characters of message text held in every channel's backlog (memory, roughly)."""
        return sum(state.size for state in self._channels.values())

    def _trim(self, state: Channel, now: float) -> None:
        backlog, oldest = state.backlog, now - self.backlog_age_s
        while backlog and (
            len(backlog) > state.limit
            or (state.size > self.backlog_bytes and len(backlog) > 1)
            or backlog[0][2] < oldest
        ):
            state.size -= len(backlog.popleft()[1])

    def _resync_subscribers(self, state: Channel) -> None:
        if not state.subscribers:
            return
        text = encode(RESYNC, state.seq, self.generation)
        self.stats.resyncs += len(state.subscribers)
        for sub in list(state.subscribers.values()):
            if not sub.offer(text):
                self._cut_off(sub)

    def subscribe(
        self,
        channel: str,
        *,
        since: int | None = None,
        generation: str | None = None,
        token_id: int | None = None,
    ) -> Subscription:
        """Listen on a channel; with `since`, first get what was missed, or a resync message
        (from another generation: the resync, then this generation's backlog)."""
        if since is not None and since < 0:
            raise ProtocolError(f"since must be non-negative, got {since}")
        state = self._state(channel)
        self._trim(state, self._clock())
        replay: list[str] = []
        if since is not None and self._can_replay(state, since, generation):
            replay = [text for seq, text, _ in state.backlog if seq > since]
            self.stats.replayed += len(replay)
        elif since is not None:
            replay = [encode(RESYNC, state.seq, self.generation)]
            self.stats.resyncs += 1
            if generation is not None and generation != self.generation:
                # It was with a process now gone: all this one pushed it (a ring while it was
                # away, the wrap-up asked after it) is news to it, after the resync.
                replay += [text for _, text, _ in state.backlog]
                self.stats.replayed += len(state.backlog)
        self._next_key += 1
        sub = Subscription(self._remove, channel, self._next_key, self.queue_size, replay, token_id)
        state.subscribers[sub.key] = sub
        self.stats.subscribed += 1
        return sub

    def disconnect(
        self, predicate: Callable[[Subscription], bool], *, reason: str = "revoked"
    ) -> int:
        """End every subscription the predicate selects (e.g. a revoked token's); returns count."""
        chosen = [
            sub
            for state in self._channels.values()
            for sub in state.subscribers.values()
            if predicate(sub)
        ]
        for sub in chosen:
            self._remove(sub, reason)
        self.stats.disconnected += len(chosen)
        if chosen:
            log.info("push: ended %d subscription(s): %s", len(chosen), reason)
        return len(chosen)

    def close_channel(self, channel: str, *, reason: str = "closed") -> int:
        """End every subscription of one channel; its seq and backlog stay for reconnects."""
        return self.disconnect(lambda sub: sub.channel == channel, reason=reason)

    def close(self) -> int:
        """End every subscription (shutdown)."""
        return self.disconnect(lambda sub: True, reason="shutdown")

    def _can_replay(self, state: Channel, since: int, generation: str | None) -> bool:
        """Whether the backlog holds exactly what came after `since` in this generation."""
        if generation is not None and generation != self.generation:
            return False
        oldest = state.backlog[0][0] if state.backlog else state.seq + 1
        return oldest - 1 <= since <= state.seq

    def _cut_off(self, sub: Subscription) -> None:
        self.stats.cut_off += 1
        log.warning(
            "push: cut off a slow subscriber of %s (queue of %d full); cut off so far: %d",
            sub.channel,
            self.queue_size,
            self.stats.cut_off,
        )
        self._remove(sub, "too_slow")

    def _remove(self, sub: Subscription, reason: str) -> None:
        state = self._channels.get(sub.channel)
        if state is not None:
            state.subscribers.pop(sub.key, None)
        if not sub.closed:
            sub.end(reason)
