"""Agent state changes beyond the agent's own controls: "Ready" during wrap-up, and what a
supervisor forces on an agent from the wallboard (pause, log out), audited with the reason.

Ending wrap-up early: app_queue keeps a member from ringing for `wrapuptime` after its last call
and offers no action to cut that short; a member added afresh has no last call. So "Ready" takes
the agent out of every queue it is in and adds it back at once (same penalty, unpaused): with
`shared_lastcall` no queue keeps the old call's time, and the next caller may ring straight away.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from callcenter.domain.access.auth import Principal
from callcenter.domain.agents.presence import PresenceBoard
from callcenter.ports.audit import AuditEntry, AuditLog
from callcenter.ports.pbx import PbxCommands
from callcenter.ports.uow import UowFactory
from callcenter.services.agent_control import AgentControl
from callcenter.services.call_access import principal_label
from callcenter.services.desk import DeskBook
from callcenter.services.errors import Conflict, Forbidden, NotFound

log = logging.getLogger(__name__)

AUDIT_KIND = "agent_control"  # GET /api/audit?kind=agent_control


class FloorControl:
    """Ready (end wrap-up now) for the agent; force pause / log out for supervisors."""

    def __init__(
        self,
        *,
        uow: UowFactory,
        control: AgentControl,
        presence: PresenceBoard,
        desk: DeskBook,
        pbx: Callable[[], PbxCommands],
        audit: AuditLog | None,
        ready_ends_wrapup: bool = True,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._uow = uow
        self._control = control
        self._presence = presence
        self._desk = desk
        self._pbx = pbx
        self._audit = audit
        self.ready_ends_wrapup = ready_ends_wrapup
        self._clock = clock

    async def ready(self, *, code: str) -> list[str]:
        """End the agent's wrap-up now; the queues it is back in ([] if it was available)."""
        seen = self._presence.get(code)
        if seen is not None and seen.state == "available":
            return []
        if seen is None or seen.state != "wrap_up":
            state = seen.state if seen else "unknown"
            raise Conflict(f"agent {code} is not in wrap-up (state {state})")
        if not self.ready_ends_wrapup:
            raise Forbidden("this center does not allow ending wrap-up early")
        async with self._uow() as uow:
            agent = await uow.agents.get_by_code(code=code)
            groups = {g.slug: g.queue for g in await uow.groups.list_all()}
        if agent is None:
            raise NotFound(f"no agent {code!r}")
        penalties = {groups.get(s.group_slug, s.group_slug): s.penalty for s in agent.skills}
        pbx = self._pbx()
        self._control.pending_pauses.drop(code)  # "Ready" means ready
        queues = list(seen.queues)
        for queue in queues:
            await pbx.remove_member(queue=queue, interface=agent.interface)
        for queue in queues:
            await pbx.add_member(
                queue=queue,
                interface=agent.interface,
                member_name=agent.name,
                state_interface=agent.state_interface,
                penalty=penalties.get(queue, 0),
            )
        self._desk.wrapup_ended(code)
        log.info("agent %s ready: wrap-up ended early in %s", code, ", ".join(queues))
        return queues

    async def force_pause(self, *, code: str, reason: str, why: str | None, by: Principal) -> bool:
        """Pause the agent for a supervisor (pending while on a call); True once applied."""
        applied = await self._control.pause(code=code, reason=reason)
        detail = f"force pause ({reason}){'' if applied else ', pending until the call ends'}"
        await self._record(code, detail, why, by)
        return applied

    async def force_logout(self, *, code: str, why: str | None, by: Principal) -> list[str]:
        """Take the agent out of every queue for a supervisor; the queues it left."""
        removed = await self._control.logout(code=code)
        await self._record(code, f"force logout of {', '.join(removed) or 'no queue'}", why, by)
        return removed

    async def _record(self, code: str, detail: str, why: str | None, by: Principal) -> None:
        text = f"{detail}: {why}" if why else detail
        log.info("%s on agent %s: %s", principal_label(by), code, text)
        if self._audit is None:
            return
        now = self._clock()
        await self._audit.add(
            AuditEntry(
                kind=AUDIT_KIND,
                actor=principal_label(by),
                agent_code=code,
                pbx=None,
                linkedid=None,
                detail=text[:200],
                started_at=now,
                ended_at=now,
            )
        )
