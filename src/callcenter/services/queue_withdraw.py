"""Withdraws callers who have waited too long (QueueWithdrawCaller) so they keep their place as a
callback: the call ends as `callback_requested` and `QueueCallbacks` files its item.

Runs where the call facts are made (the process holding the AMI connection); it only sends the
command, the rest follows from what Asterisk then reports.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping

from callcenter.background import cancel_and_wait
from callcenter.domain.calls.facts import Fact
from callcenter.domain.queue_withdraw import (
    WITHDRAW_INFO,
    WaitingCaller,
    WaitingCallers,
    WithdrawRule,
)
from callcenter.ports.pbx import PbxCommands
from callcenter.services.errors import PbxRefused, PbxUnavailable

log = logging.getLogger(__name__)

TICK_S = 1.0


class QueueWithdrawer:
    """Watches waiting callers from the call facts; withdraws each past the rule's wait once."""

    def __init__(
        self,
        *,
        rule: WithdrawRule,
        pbxs: Mapping[str, PbxCommands],
        clock: Callable[[], float] = time.time,
        tick_s: float = TICK_S,
    ) -> None:
        self.rule = rule
        self._pbxs = pbxs
        self._clock = clock
        self._tick_s = tick_s
        self._callers = WaitingCallers()
        self._task: asyncio.Task[None] | None = None
        self.sent = 0  # QueueWithdrawCaller actions Asterisk accepted
        self.refused = 0  # ... it refused (the caller had just left, or no such queue)

    def on_fact(self, fact: Fact) -> None:
        """A call fact (a fact handler: cheap, never raises)."""
        self._callers.apply(fact)

    def start(self) -> None:
        """Start the loop that withdraws callers once they are due."""
        if self._task is None and self.rule.enabled:
            self._task = asyncio.create_task(self._run(), name="queue-withdraw")

    async def aclose(self) -> None:
        """Stop the loop."""
        if self._task is not None:
            await cancel_and_wait(self._task)
            self._task = None

    async def withdraw_due(self) -> int:
        """Withdraw every caller due now; how many Asterisk accepted."""
        accepted = 0
        for caller in self._callers.due(self.rule, self._clock()):
            accepted += await self._withdraw(caller)
        return accepted

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._tick_s)
            try:
                await self.withdraw_due()
            except Exception:  # never let one bad tick stop callers being withdrawn
                log.exception("queue withdraw: tick failed")

    async def _withdraw(self, caller: WaitingCaller) -> int:
        pbx = self._pbxs.get(caller.pbx)
        if pbx is None:
            return 0
        try:
            await pbx.withdraw_caller(
                queue=caller.queue, channel=caller.channel, info=WITHDRAW_INFO
            )
        except PbxRefused as exc:  # most often: the caller was answered or hung up meanwhile
            self._callers.done(caller)
            self.refused += 1
            log.info("queue withdraw of %s from %s refused: %s", caller.linkedid, caller.queue, exc)
            return 0
        except PbxUnavailable as exc:  # tried again next tick while the caller still waits
            log.warning("queue withdraw of %s not sent: %s", caller.linkedid, exc)
            return 0
        self._callers.done(caller)
        self.sent += 1
        log.info(
            "caller %s withdrawn from %s after %.0f s for a callback",
            caller.linkedid,
            caller.queue,
            self._clock() - caller.since,
        )
        return 1
