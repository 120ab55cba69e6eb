"""Callbacks dialled agent-first: the agent's phone, the pop, then the customer; retried per rule.

An accepted `callback` item is checked (callback_checks), counted as an attempt and originated
from the agent's phone; the end of its outbound call says how it went: answered -> the agent
completes it with a disposition; busy, no answer and the like -> back to waiting until the retry
time, or failed after the last attempt."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from callcenter.background import cancel_and_wait
from callcenter.domain.agents.records import Agent
from callcenter.domain.calls.facts import CallAnswered, CallEnded, Fact
from callcenter.domain.work_assignment import BACK_OFFICE
from callcenter.domain.work_callbacks import CallbackRule, after_attempt
from callcenter.ports.pbx import PbxCommands
from callcenter.ports.push import Notifier, WorkUpdate
from callcenter.ports.work_offers import WorkEntry, WorkOfferStore
from callcenter.services.callback_attempts import Attempt, AttemptsInFlight
from callcenter.services.callback_checks import check_callback
from callcenter.services.dial_targets import dial_string
from callcenter.services.errors import PbxRefused, PbxUnavailable
from callcenter.services.work_history import WorkCloser

log = logging.getLogger(__name__)

Settle = Callable[[WorkEntry | None, int], Awaitable[None]]


class CallbackDialer:
    """Places callback attempts and stores their outcome on the item."""

    def __init__(
        self,
        *,
        store: WorkOfferStore,
        closer: WorkCloser,
        pbxs: Mapping[str, PbxCommands],
        notifier: Notifier,
        rule: CallbackRule | None = None,
        timezone: str = "Asia/Shanghai",
        region: str = "CN",
        dial_timeout_s: float = 120.0,
        retry_on_failure_s: float = 30.0,
        on_dial: Callable[[str, str], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self.closer = closer  # final outcomes: the item closed and its contact written
        self._pbxs = pbxs
        self._notifier = notifier
        self.rule = rule or CallbackRule()
        self._tz = ZoneInfo(timezone)
        self._region = region
        self._dial_timeout_s = dial_timeout_s
        self._retry_on_failure_s = retry_on_failure_s
        self.on_dial = on_dial  # (agent code, E.164): the screen-pop pops it when it connects
        self._clock = clock
        self.agents: Mapping[str, Agent] = {}
        self.settle: Settle | None = None
        self._dialling = AttemptsInFlight()
        self._tasks: set[asyncio.Task[None]] = set()
        self._watch: asyncio.Task[None] | None = None

    def start(self, entry: WorkEntry, agent: Agent) -> None:
        """Dial in the background: the accept does not wait (work_update frames tell the rest)."""
        self._spawn(self._dial_or_give_back(entry, agent))

    async def dial(self, entry: WorkEntry, agent: Agent) -> None:
        """One attempt for an accepted callback item held by `agent`."""
        local = datetime.fromtimestamp(self._clock(), self._tz)
        do = await check_callback(self._store, entry, self.rule, local)
        if (number := do.number) is None:
            if do.not_before is not None:  # outside the calling window: back until it opens
                await self._back(entry, agent.code, do.not_before, do.outcome, entry.attempts)
            else:
                await self._close(entry, agent.code, do.status, do.outcome, do.note)
            return
        attempts = entry.attempts + 1
        if not await self._store.move(
            item_id=entry.id,
            agent=agent.code,
            from_statuses=("accepted",),
            status="in_progress",
            attempts=attempts,
        ):
            return  # completed or taken back meanwhile
        entry = replace(entry, status="in_progress", attempts=attempts)
        self._dialling.add(Attempt(entry, agent.code, number, self._clock() + self._dial_timeout_s))
        await self._settle(entry)
        if self.on_dial is not None:
            self.on_dial(agent.code, number)
        self._notifier.work_update(
            agent.code, WorkUpdate(entry.id, "dialling", None, entry.customer_id, number)
        )
        variables = {"CC_AGENT": agent.code, "CC_DIALLED": number, "CC_WORK_ITEM": str(entry.id)}
        if entry.customer_id is not None:
            variables["CC_CUSTOMER_ID"] = str(entry.customer_id)
        try:
            await self._home().originate_agent_first(
                agent_interface=agent.interface,
                dial=dial_string(number, self._region),
                caller_name=agent.name,
                caller_number=agent.code,
                variables=variables,
            )
        except (PbxUnavailable, PbxRefused) as exc:  # not the customer's fault: not an attempt
            log.warning("callback %d: originate failed: %s", entry.id, exc)
            self._dialling.drop(entry.id)
            later = datetime.fromtimestamp(self._clock() + self._retry_on_failure_s, UTC)
            await self._back(entry, agent.code, later, "pbx_unavailable", attempts - 1)
            return
        log.info("callback %d: %s dials %s (attempt %d)", entry.id, agent.code, number, attempts)
        self._ensure_watch()

    def on_fact(self, fact: Fact) -> None:
        """The agent answered an attempt's call: it has no deadline any more. The call ended:
        settle the attempt; if it was the agent's own leg before the customer was dialled, their
        phone was never answered and the item goes back at once (not when the watchdog fires)."""
        if isinstance(fact, CallAnswered):
            self._dialling.answered(fact, self.agents)
            return
        if not isinstance(fact, CallEnded) or fact.record.direction != "outbound":
            return
        settled = self._dialling.ended(fact, self.agents)
        if settled is not None:
            attempt, dialled = settled
            if dialled:
                self._spawn(self._ended(attempt, fact.record.outcome))
            else:
                self._spawn(self._agent_missed(attempt))

    def forget(self, item_id: int) -> None:
        """The item was completed: no attempt is followed any more."""
        self._dialling.drop(item_id)

    async def pause(self, code: str, *, paused: bool) -> None:
        """Pause (reason back-office) or unpause the agent in the voice queues."""
        agent = self.agents.get(code)
        if agent is None:
            return
        try:
            pbx = self._home()
            if paused:
                await pbx.pause(interface=agent.interface, reason=BACK_OFFICE)
            else:
                await pbx.unpause(interface=agent.interface)
        except (PbxUnavailable, PbxRefused) as exc:
            log.warning("agent %s: back-office pause=%s not sent: %s", code, paused, exc)

    async def aclose(self) -> None:
        """Stop following attempts (their items stay in progress for the agent to complete)."""
        tasks = [*self._tasks, *([self._watch] if self._watch else [])]
        for task in tasks:
            await cancel_and_wait(task)

    # -- internals -----------------------------------------------------------------------------

    async def _ended(self, dialling: Attempt, outcome: str) -> None:
        entry, code = dialling.entry, dialling.agent
        local = datetime.fromtimestamp(self._clock(), self._tz)
        step = after_attempt(outcome, entry.attempts, local, self.rule)
        if step.status == "reached":
            await self._store.move(
                item_id=entry.id,
                agent=code,
                from_statuses=("in_progress",),
                status="in_progress",
                outcome=outcome,
            )
            entry = replace(entry, outcome=outcome)
            self._notifier.work_update(
                code, WorkUpdate(entry.id, "answered", outcome, entry.customer_id, dialling.number)
            )
            await self._settle(entry)
        elif step.status == "retry" and step.retry_at is not None:
            await self._back(entry, code, step.retry_at.astimezone(UTC), outcome, entry.attempts)
        else:
            await self._close(entry, code, "failed", outcome)
        log.info("callback %d attempt %d: %s", entry.id, entry.attempts, outcome)

    async def _back(
        self,
        entry: WorkEntry,
        code: str,
        not_before: datetime,
        outcome: str,
        attempts: int,
        *,
        declined: bool = False,
    ) -> None:
        """Back to waiting until `not_before` (any agent may get it then, this one too unless
        `declined`)."""
        if await self._store.release(
            item_id=entry.id,
            agent=code,
            declined=declined,
            not_before=not_before,
            outcome=outcome,
            attempts=attempts,
        ):
            self._notifier.work_update(code, WorkUpdate(entry.id, "retry", outcome))
            await self._settle(
                replace(
                    entry,
                    status="new",
                    agent=None,
                    expires_at=None,
                    declined=(*entry.declined, code) if declined else entry.declined,
                    not_before=not_before,
                    outcome=outcome,
                    attempts=attempts,
                )
            )

    async def _close(
        self, entry: WorkEntry, code: str, status: str, outcome: str, note: str | None = None
    ) -> None:
        if await self.closer.close_held(
            item_id=entry.id,
            agent=code,
            expected=("accepted", "in_progress"),
            status=status,
            now=datetime.fromtimestamp(self._clock(), UTC),
            outcome=outcome,
            note=note,
        ):
            self._notifier.work_update(code, WorkUpdate(entry.id, status, outcome))
            if self.settle is not None:
                await self.settle(None, entry.id)

    async def _settle(self, entry: WorkEntry) -> None:
        if self.settle is not None:
            await self.settle(entry, entry.id)

    def _ensure_watch(self) -> None:
        if self._watch is None or self._watch.done():
            self._watch = asyncio.get_running_loop().create_task(self._watchdog())

    async def _watchdog(self) -> None:
        """An attempt whose agent never answered (no CallAnswered by the deadline) is given back;
        an answered one is left to its CallEnded however long the conversation lasts."""
        while self._dialling:
            await asyncio.sleep(1.0)
            for attempt in self._dialling.overdue(self._clock()):
                await self._agent_missed(attempt)

    async def _agent_missed(self, dialling: Attempt) -> None:
        """The agent never answered: back to the list (not an attempt), never to them again."""
        entry, later = dialling.entry, datetime.fromtimestamp(self._clock() + 1.0, UTC)
        await self._back(
            entry, dialling.agent, later, "agent_no_answer", entry.attempts - 1, declined=True
        )

    async def _dial_or_give_back(self, entry: WorkEntry, agent: Agent) -> None:
        try:
            await self.dial(entry, agent)
        except Exception:  # the database away before the Originate: back, as a PBX failure is
            log.exception("callback %d: not dialled", entry.id)
            self._dialling.drop(entry.id)
            later = datetime.fromtimestamp(self._clock() + self._retry_on_failure_s, UTC)
            with contextlib.suppress(Exception):
                await self._back(entry, agent.code, later, "dial_error", entry.attempts)

    def _spawn(self, coro: Awaitable[None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _home(self) -> PbxCommands:
        # Agents' phones register with one PBX: the first configured server (as agent control).
        for name in self._pbxs:
            pbx = self._pbxs[name]
            if pbx.connected:
                return pbx
            break
        raise PbxUnavailable("no connected Asterisk server for callbacks")
