"""Supervisors listening to, whispering to and barging into agents' live calls, audited."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from callcenter.domain.access.auth import MANAGERS, Principal
from callcenter.domain.calls.facts import Fact, SpyChanged, SpyKeyed
from callcenter.ports.audit import AuditEntry, AuditLog
from callcenter.ports.pbx import PbxCommands
from callcenter.ports.uow import UowFactory
from callcenter.services.call_access import principal_label
from callcenter.services.errors import Conflict, Forbidden, InvalidField, NotFound, PbxUnavailable

log = logging.getLogger(__name__)

MODES = ("listen", "whisper", "barge")
# (pbx name, agent interface) -> (Linkedid, the agent's live channel) of the call they talk on
LiveChannelOf = Callable[[str, str], tuple[str, str] | None]


@dataclass
class MonitorSession:
    """One requested ChanSpy: audited at once, started/ended by ChanSpyStart/Stop."""

    agent_code: str
    supervisor: str
    mode: str
    pbx: str
    linkedid: str
    channel: str
    reference: str = ""
    audit_id: int | None = None  # once the audit row is written
    requested_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    started: bool = False
    ended_at: datetime | None = None
    spyer_channel: str = ""  # the supervisor's channel running ChanSpy, from ChanSpyStart
    switching: str | None = None  # the mode the backend's own switch is sending (its key echoes)


class Supervision:
    """Originates supervisors into ChanSpy on an agent's current channel; tracks who is heard."""

    def __init__(
        self,
        *,
        uow: UowFactory,
        pbxs: Mapping[str, PbxCommands],
        audit: AuditLog,
        live_channel_of: LiveChannelOf,
        agent_sees_monitoring: bool = False,
        interface_of: Callable[[str], str | None] | None = None,
    ) -> None:
        self._uow = uow
        self._interface_of = interface_of  # the agent directory in memory: no query per request
        self._pbxs = pbxs
        self._audit = audit
        self._live_channel_of = live_channel_of
        self.agent_sees_monitoring = agent_sees_monitoring
        self._sessions: list[MonitorSession] = []
        self._writes: set[asyncio.Task[None]] = set()

    async def monitor(
        self, *, code: str, mode: str, supervisor: str, by: Principal
    ) -> MonitorSession:
        """Send the Originate into ChanSpy; Conflict when the agent is on no live call."""
        if by.role not in MANAGERS:
            raise Forbidden(f"role {by.role!r} may not monitor agents")
        if mode not in MODES:
            raise InvalidField(("mode",), f"unknown mode {mode!r}; one of {list(MODES)}")
        if not supervisor.strip():
            raise InvalidField(("supervisor",), "the supervisor's phone or interface is needed")
        known = self._interface_of(code) if self._interface_of is not None else None
        live = self._live_call(known) if known else None
        if live is None:  # not in the directory yet, or no call there: the agents table says
            async with self._uow() as uow:
                agent = await uow.agents.get_by_code(code=code)
            if agent is None:
                raise NotFound(f"no agent {code!r}")
            live = self._live_call(agent.interface)
        if live is None:
            raise Conflict(f"agent {code} has no live call to monitor")
        pbx_name, pbx, linkedid, channel = live
        if not pbx.connected:
            raise PbxUnavailable(f"not connected to Asterisk {pbx_name!r}")
        session = MonitorSession(code, supervisor, mode, pbx_name, linkedid, channel)
        self._sessions.append(session)  # ChanSpyStart may come before the reply
        try:
            session.reference = await pbx.spy(supervisor=supervisor, channel=channel, mode=mode)
        except BaseException:
            self._sessions.remove(session)
            raise
        session.audit_id = await self._audit.add(
            AuditEntry(
                kind="monitor",
                actor=principal_label(by),
                agent_code=code,
                pbx=pbx_name,
                linkedid=linkedid,
                detail=f"{mode} from {supervisor}",
                started_at=session.requested_at,
            )
        )
        if session.ended_at is not None:  # ChanSpyStop came before the audit row
            await self._audit.close(session.audit_id, ended_at=session.ended_at)
        log.info("%s: %s on agent %s, call %s (%s)", supervisor, mode, code, linkedid, channel)
        return session

    def _live_call(self, interface: str) -> tuple[str, PbxCommands, str, str] | None:
        """(pbx name, its commands, Linkedid, channel) of the call the interface talks on."""
        for pbx_name, pbx in self._pbxs.items():
            found = self._live_channel_of(pbx_name, interface)
            if found is not None:
                return pbx_name, pbx, found[0], found[1]
        return None

    async def switch(
        self, *, code: str, mode: str, by: Principal, supervisor: str | None = None
    ) -> MonitorSession:
        """Switch a running session to another mode without hanging up (ChanSpy's DTMF 4/5/6);
        the audit row of the old mode ends and one for the new mode starts."""
        if by.role not in MANAGERS:
            raise Forbidden(f"role {by.role!r} may not monitor agents")
        if mode not in MODES:
            raise InvalidField(("mode",), f"unknown mode {mode!r}; one of {list(MODES)}")
        session = self._running(code, supervisor)
        if session.mode == mode:
            return session
        pbx = self._pbxs.get(session.pbx)
        if pbx is None or not pbx.connected:
            raise PbxUnavailable(f"not connected to Asterisk {session.pbx!r}")
        session.switching = mode
        try:
            await pbx.switch_spy_mode(spyer_channel=session.spyer_channel, mode=mode)
        finally:
            session.switching = None
        await self._mode_changed(session, mode, principal_label(by), "")
        return session

    async def _mode_changed(self, session: MonitorSession, mode: str, actor: str, how: str) -> None:
        """The session hears in `mode` now: the old mode's audit row ends, the new one's starts."""
        now, old = datetime.now(UTC), session.mode
        session.mode = mode
        if session.audit_id is not None:
            await self._audit.close(session.audit_id, ended_at=now)
        session.audit_id = await self._audit.add(
            AuditEntry(
                kind="monitor",
                actor=actor,
                agent_code=session.agent_code,
                pbx=session.pbx,
                linkedid=session.linkedid,
                detail=f"{mode} from {session.supervisor} (was {old}){how}",
                started_at=now,
            )
        )
        if session.ended_at is not None:  # ChanSpyStop came while the switch was under way
            await self._audit.close(session.audit_id, ended_at=session.ended_at)
        log.info(
            "%s: %s -> %s on agent %s%s", session.supervisor, old, mode, session.agent_code, how
        )

    def _running(self, code: str, supervisor: str | None) -> MonitorSession:
        mine = [s for s in self._sessions if s.agent_code == code]
        if supervisor is not None:
            mine = [s for s in mine if s.supervisor == supervisor]
        running = [s for s in mine if s.started and s.spyer_channel]
        if not running:
            why = "the supervisor's phone has not answered yet" if mine else "nobody monitors"
            raise Conflict(f"agent {code}: no running monitoring session ({why})")
        if len(running) > 1:
            raise InvalidField(
                ("supervisor",), f"several supervisors monitor agent {code}; say whose session"
            )
        return running[0]

    def monitored(self) -> dict[str, str]:
        """Agent code -> mode of every agent a supervisor is hearing now (ChanSpy started)."""
        return {s.agent_code: s.mode for s in self._sessions if s.started}

    def visible_to(self, principal: Principal, code: str) -> str | None:
        """The mode an agent is monitored in, if this principal may know it."""
        if principal.role == "agent" and not (
            self.agent_sees_monitoring and principal.agent_code == code
        ):
            raise Forbidden("agents are not told whether they are monitored")
        return self.monitored().get(code)

    async def sessions(self, *, limit: int = 100) -> list[AuditEntry]:
        """The audited monitoring sessions, newest first."""
        return await self._audit.recent(kind="monitor", limit=limit)

    def on_fact(self, fact: Fact) -> None:
        """ChanSpyStart marks a requested session as running, ChanSpyStop closes its audit row;
        a mode key pressed on the supervisor's own phone switches the session's mode."""
        if isinstance(fact, SpyKeyed):
            self._keyed(fact)
            return
        if not isinstance(fact, SpyChanged):
            return
        session = self._match(fact)
        if session is None:
            return
        if fact.started:
            session.started = True
            session.spyer_channel = fact.spyer_channel
            return
        self._sessions.remove(session)
        session.ended_at = datetime.fromtimestamp(fact.at, UTC)
        if session.audit_id is None:
            return  # monitor() closes the row once written
        task = asyncio.get_running_loop().create_task(
            self._close(session.audit_id, session.ended_at)
        )
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)

    async def aclose(self) -> None:
        """Wait for the audit writes under way."""
        if self._writes:
            await asyncio.gather(*self._writes, return_exceptions=True)

    def _keyed(self, fact: SpyKeyed) -> None:
        running = [
            s
            for s in self._sessions
            if s.pbx == fact.pbx and s.started and s.spyer_channel == fact.spyer_channel
        ]
        if not running or fact.mode in (running[0].mode, running[0].switching):
            return  # not ours, no change, or the echo of the backend's own switch
        session = running[0]
        actor = f"{session.supervisor} (keypad)"
        task = asyncio.get_running_loop().create_task(
            self._mode_changed(session, fact.mode, actor, ", by its keypad")
        )
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)

    def _match(self, fact: SpyChanged) -> MonitorSession | None:
        candidates = [
            s
            for s in self._sessions
            if s.pbx == fact.pbx and s.channel == fact.spyee_channel and s.started != fact.started
        ]
        for session in candidates:  # the supervisor's own leg, when its name tells
            if _same_phone(session.supervisor, fact.spyer_channel):
                return session
        return candidates[0] if candidates else None

    async def _close(self, audit_id: int, ended: datetime) -> None:
        try:
            await self._audit.close(audit_id, ended_at=ended)
        except Exception:  # the audit row stays open; the log says why
            log.exception("could not close monitoring audit entry %s", audit_id)


def _same_phone(interface: str, channel: str) -> bool:
    """Whether a channel (`Local/1101@agent-phone-0000002a;1`) is of this phone."""
    base = interface.strip().removesuffix("/n").split("@")[0].lower()
    return channel.lower().startswith(base)
