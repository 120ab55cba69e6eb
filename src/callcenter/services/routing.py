"""Routing orchestration: parse the caller, fetch snapshot and presence under a deadline, decide."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
import tomllib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from callcenter.domain.customers.numbers import parse_caller_id
from callcenter.domain.routing.decision import RoutingDecision
from callcenter.domain.routing.inputs import CallInfo, CustomerSnapshot, LiveAgents
from callcenter.domain.routing.router import decide, fallback_decision
from callcenter.domain.routing.rule_book import parse_rules
from callcenter.domain.routing.rules import RoutingRules, RulesError
from callcenter.ports.routing import AgentPresence, CallbackSink, SnapshotSource
from callcenter.services.routing_breaker import LookupBreaker
from callcenter.services.routing_sources import NoPresence

log = logging.getLogger(__name__)

# Below this share of the deadline left, a lookup is not worth starting: answer the fallback.
MIN_BUDGET_SHARE = 0.2
# This share of the deadline is kept for sending the answer (the variables, over the socket):
# a lookup that runs out of time gives up early enough for its fallback to arrive in time.
ANSWER_RESERVE_SHARE = 0.2
# ... or, when the event loop's turns are long (a reconnect storm, a restart), this many of the
# longest recent turns: the answer waits for about one turn to be written, and one more for luck.
ANSWER_RESERVE_TURNS = 2


@dataclass
class RoutingStats:
    """Counters an operator watches: decisions made and how many fell back."""

    routed: int = 0
    fallbacks: int = 0
    callbacks: int = 0
    shed: int = 0  # answered the fallback at once: too many pending or too late to look anything up
    callbacks_dropped: int = 0  # callback requests over the hand-over queue's bound: logged


def load_rules(path: Path | None = None) -> RoutingRules:
    """The rule book from `path` (CALLCENTER_ROUTING_FILE), else the one shipped in the package."""
    if path is None:
        text = resources.files("callcenter.routing").joinpath("default.toml").read_text("utf-8")
        where = "default rules"
    else:
        try:
            text = Path(path).read_text("utf-8")
        except OSError as exc:
            raise RulesError(f"routing file {path}: {exc.strerror or exc}") from exc
        where = f"routing file {path}"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{where}: not valid TOML: {exc}") from exc
    except RecursionError:
        raise RulesError(f"{where}: nested too deeply to be a rule book") from None
    try:
        return parse_rules(data)
    except RulesError as exc:
        raise RulesError(f"{where}: {exc}") from exc
    except RecursionError:
        raise RulesError(f"{where}: nested too deeply to be a rule book") from None


class RoutingService:
    """Answers the dialplan hook within its deadline, whatever the database does."""

    def __init__(
        self,
        *,
        rules: RoutingRules,
        snapshots: SnapshotSource,
        presence: AgentPresence | None = None,
        callbacks: CallbackSink | None = None,
        region: str = "CN",
        deadline_s: float = 0.150,
        remember: int = 10_000,
        on_routed: Callable[[float], None] | None = None,
        max_pending: int = 64,
        max_callbacks_waiting: int = 10_000,
        loop_lag: Callable[[], float] | None = None,
    ) -> None:
        self.rules = rules
        self.snapshots = snapshots
        self.presence = presence or NoPresence()
        self.callbacks = callbacks
        self.region = region
        self.deadline_s = deadline_s
        self.max_pending = max_pending
        self.pending = 0
        self.stats = RoutingStats()
        self._remember = remember
        self._on_routed = on_routed  # told how long each answer took (the route-latency metric)
        self._decisions: OrderedDict[str, RoutingDecision] = OrderedDict()
        self._background: set[asyncio.Future[Any]] = set()
        # Callback work items are written one at a time after the answer, not one task per call:
        # a burst of out-of-hours calls must not crowd out the hook answers on the event loop.
        self._handovers: asyncio.Queue[tuple[str, CallInfo, str]] = asyncio.Queue(
            max_callbacks_waiting
        )
        self._writer: asyncio.Task[None] | None = None
        self.breaker = LookupBreaker()
        self._loop_lag = loop_lag  # how long the loop's turns have lately been (loop_lag.py)

    async def route(
        self,
        *,
        caller_raw: str | None,
        did: str | None,
        menu: str | None,
        now: datetime,
        call_id: str | None = None,
        received_at: float | None = None,
    ) -> RoutingDecision:
        """Decide where a call goes; never raises for bad input or a sick database.

        `received_at` (time.monotonic()) is when the hook request arrived: the deadline counts
        from then, so time spent queueing in a busy process is not granted twice.
        """
        started = time.perf_counter()
        try:
            return await self._route(caller_raw, did, menu, now, call_id, received_at)
        finally:
            if self._on_routed is not None:
                self._on_routed(time.perf_counter() - started)

    async def _route(
        self,
        caller_raw: str | None,
        did: str | None,
        menu: str | None,
        now: datetime,
        call_id: str | None,
        received_at: float | None,
    ) -> RoutingDecision:
        parsed = parse_caller_id(caller_raw, self.region)
        call = CallInfo(caller=parsed.e164, did=did or None, menu=menu or None, at=now)
        budget = self.deadline_s - self._answer_reserve()
        if received_at is not None:
            budget -= time.monotonic() - received_at
        if self.pending >= self.max_pending or budget < self.deadline_s * MIN_BUDGET_SHARE:
            # Admission control: an answer looked up now could not come in time (or the backlog
            # says so): the fallback at once keeps the deadline whatever the load.
            self.stats.shed += 1
            decision = self._fallback(call, "overloaded: answered at once")
        elif self.breaker.is_open and parsed.e164 is not None:
            # The last lookup failed or timed out: answer now, find out in the background.
            self.breaker.skip(functools.partial(self._inputs, parsed.e164))
            decision = self._fallback(call, f"customer data unavailable ({self.breaker.why})")
        else:
            self.pending += 1
            try:
                decision = await self._decide(call, parsed.e164, budget)
            finally:
                self.pending -= 1
        self.stats.routed += 1
        if decision.action == "callback":
            self.stats.callbacks += 1
            self._request_callback(call, decision)
        if call_id:
            self._keep(call_id, decision)
        return decision

    async def _decide(self, call: CallInfo, e164: str | None, budget: float) -> RoutingDecision:
        inputs = asyncio.ensure_future(self._inputs(e164))
        try:
            # Not wait_for: it also waits for the cancellation, and a query on a stalled database
            # connection takes seconds to give up (asyncpg terminates it with a 2 s timeout).
            done, _ = await asyncio.wait({inputs}, timeout=budget)
        finally:
            if not inputs.done():
                inputs.cancel()
                # One turn of the loop lets a source that stops at once do so before we answer.
                await asyncio.wait({inputs}, timeout=0)
                self._background.add(inputs)
                inputs.add_done_callback(self._background.discard)
        try:
            if not done:
                raise TimeoutError
            snapshot, live = inputs.result()
        except TimeoutError:
            self.breaker.failed(f"not ready in {budget:.3f} s")
            return self._fallback(
                call,
                f"customer data not ready in {budget:.3f} s (deadline {self.deadline_s:.3f} s, "
                "the rest kept for answering)",
            )
        except Exception as exc:  # a failing port must not leave the channel waiting
            log.warning("routing inputs failed, falling back: %r", exc)
            self.breaker.failed(type(exc).__name__)
            return self._fallback(call, f"customer data failed: {type(exc).__name__}")
        self.breaker.succeeded()
        return decide(call, snapshot, live, self.rules)

    async def warm_up(self, sample: str = "+8613800138000", timeout_s: float = 2.0) -> None:
        """Walk the lookup path once (number parsing, snapshot source, presence) so the first
        real answers do not pay for it; bounded, never raises, counts nothing."""
        parsed = parse_caller_id(sample, self.region)
        with contextlib.suppress(Exception):
            async with asyncio.timeout(timeout_s):
                await self._inputs(parsed.e164)

    def decision_for(self, call_id: str) -> RoutingDecision | None:
        """The decision remembered for a call (its uniqueid / linkedid), if still kept."""
        return self._decisions.get(call_id)

    async def aclose(self) -> None:
        """Wait for pending callback work items to be handed over."""
        await self.breaker.aclose()
        if self._writer is not None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(5.0):
                    await self._handovers.join()
            self._writer.cancel()
            await asyncio.gather(self._writer, return_exceptions=True)
            self._writer = None
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)

    async def _inputs(self, e164: str | None) -> tuple[CustomerSnapshot | None, LiveAgents]:
        snap_task = self.snapshots.snapshot_for(e164) if e164 else _none()
        snapshot, live = await asyncio.gather(snap_task, self._live())
        return snapshot, live

    async def _live(self) -> LiveAgents:
        try:
            return await self.presence.live_agents()
        except Exception as exc:  # presence only refines the choice: route without it
            log.warning("agent presence failed, routing without it: %r", exc)
            return {}

    def _answer_reserve(self) -> float:
        """The part of the deadline kept for writing the answer: a share of it, or more when
        the loop's turns are long now (the answer then waits as long to be written)."""
        share = self.deadline_s * ANSWER_RESERVE_SHARE
        if self._loop_lag is None:
            return share
        return min(max(share, ANSWER_RESERVE_TURNS * self._loop_lag()), self.deadline_s)

    def _fallback(self, call: CallInfo, why: str) -> RoutingDecision:
        self.stats.fallbacks += 1
        return fallback_decision(call, self.rules, why)

    def _keep(self, call_id: str, decision: RoutingDecision) -> None:
        self._decisions[call_id] = decision
        self._decisions.move_to_end(call_id)
        while len(self._decisions) > self._remember:
            self._decisions.popitem(last=False)

    def _request_callback(self, call: CallInfo, decision: RoutingDecision) -> None:
        if self.callbacks is None or decision.callback_group is None:
            return
        # the dialplan must not wait for the work item to be written
        try:
            self._handovers.put_nowait((decision.callback_group, call, decision.reason))
        except asyncio.QueueFull:
            self.stats.callbacks_dropped += 1
            log.error(
                "%d callback requests waiting: the one for %s is NOT filed",
                self._handovers.qsize(),
                call.caller or "a withheld caller",
            )
            return
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_handovers(self.callbacks))

    async def _write_handovers(self, sink: CallbackSink) -> None:
        while True:
            group, call, reason = await self._handovers.get()
            try:
                await _hand_over(sink, group, call, reason)
            finally:
                self._handovers.task_done()


async def _none() -> None:
    return None


async def _hand_over(sink: CallbackSink, group: str, call: CallInfo, reason: str) -> None:
    try:
        await sink.request_callback(
            group=group, caller=call.caller, did=call.did, reason=reason, at=call.at
        )
    except Exception:
        log.exception("could not create the callback work item for %s", call.caller or "unknown")
