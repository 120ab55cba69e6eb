"""What each agent's desktop shows, kept on the server so a reloaded page can rebuild it.

`DeskBook` sits in front of the notifier the screen-pop service uses: every `screen_pop` and
`call_update` it forwards also updates the agent's desk — the live call (ringing or connected, with
its pop) and the call in wrap-up (ended, awaiting its disposition, with the wrap-up deadline from
the queue's `wrapuptime`). The desktop asks for it on load and after a reconnect.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from callcenter.ports.push import (
    AgentState,
    CallUpdate,
    Notifier,
    ScreenPop,
    WallboardFigures,
    WorkOffered,
    WorkUpdate,
)


@dataclass(frozen=True)
class DeskCall:
    """One call on an agent's desk: its pop (None when first seen ended) and phase times."""

    linkedid: str
    pbx: str
    phase: str  # ringing | connected | wrap_up
    pop: ScreenPop | None
    ringing_at: float | None
    answered_at: float | None = None
    ended: CallUpdate | None = None
    ended_at: float | None = None
    wrapup_s: float = 0.0

    @property
    def wrapup_until(self) -> float | None:
        """When the queue's wrap-up time runs out (the PBX rings the agent again)."""
        return None if self.ended_at is None else self.ended_at + self.wrapup_s


@dataclass
class Desk:
    """An agent's live call and the call whose disposition is still open."""

    call: DeskCall | None = None
    wrap_up: DeskCall | None = None


@dataclass
class DeskBook:
    """A Notifier that forwards every message and remembers each agent's desk."""

    inner: Notifier
    wrapup_s: Mapping[str, float] = field(default_factory=dict)
    clock: Callable[[], float] = time.time
    _desks: dict[str, Desk] = field(default_factory=dict)

    def desk(self, code: str) -> Desk:
        """The agent's desk now (empty when nothing is going on)."""
        return self._desks.get(code) or Desk()

    def disposed(self, code: str, linkedid: str) -> None:
        """The agent gave the call its disposition: its wrap-up form is closed."""
        desk = self._desks.get(code)
        if desk is not None and desk.wrap_up is not None and desk.wrap_up.linkedid == linkedid:
            desk.wrap_up = None

    def wrapup_ended(self, code: str) -> None:
        """The agent said "Ready": the wrap-up time is over now (the form stays till saved)."""
        desk = self._desks.get(code)
        if desk is not None and desk.wrap_up is not None and desk.wrap_up.ended_at is not None:
            spent = max(0.0, self.clock() - desk.wrap_up.ended_at)
            desk.wrap_up = replace(desk.wrap_up, wrapup_s=min(desk.wrap_up.wrapup_s, spent))

    # -- Notifier ----------------------------------------------------------------------------

    def screen_pop(self, agent: str, message: ScreenPop) -> None:
        desk = self._desks.setdefault(agent, Desk())
        call = message.call
        if desk.call is not None and desk.call.linkedid == call.linkedid:
            desk.call = replace(desk.call, pop=message)
        else:
            desk.call = DeskCall(call.linkedid, call.pbx, "ringing", message, self.clock())
        self.inner.screen_pop(agent, message)

    def call_update(self, agent: str, message: CallUpdate) -> None:
        desk = self._desks.setdefault(agent, Desk())
        now = self.clock()
        current = desk.call if desk.call and desk.call.linkedid == message.linkedid else None
        if message.state == "answered" and current is not None:
            desk.call = replace(current, phase="connected", answered_at=now)
        elif message.state == "missed" and current is not None:
            desk.call = None
        elif message.state == "ended":
            if current is not None:
                desk.call = None
            if message.ended is not None and message.ended.disposition_required:
                queue = current.pop.call.queue if current and current.pop else None
                base = current or DeskCall(message.linkedid, message.pbx, "wrap_up", None, None)
                desk.wrap_up = replace(
                    base,
                    phase="wrap_up",
                    ended=message,
                    ended_at=now,
                    wrapup_s=float(self.wrapup_s.get(queue or "", 0.0)),
                )
        self.inner.call_update(agent, message)

    def agent_state(self, agent: str, message: AgentState) -> None:
        self.inner.agent_state(agent, message)

    def wallboard(self, message: WallboardFigures) -> None:
        self.inner.wallboard(message)

    def work_offer(self, agent: str, message: WorkOffered) -> None:
        self.inner.work_offer(agent, message)

    def work_update(self, agent: str, message: WorkUpdate) -> None:
        self.inner.work_update(agent, message)
