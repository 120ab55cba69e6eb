"""Scale-out: the Redis bus between processes and one AMI listener per PBX cluster-wide."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

from callcenter.domain.agents.directory import AgentDirectory
from callcenter.domain.agents.presence import PresenceBoard
from callcenter.domain.calls.facts import AgentStateChanged, Fact

if TYPE_CHECKING:
    from callcenter.adapters.ami.leader import AmiLeader
    from callcenter.adapters.ami.listener import AmiListener
    from callcenter.adapters.bus.redis_bus import RedisBus
    from callcenter.adapters.push.hub import PushHub
    from callcenter.services.fact_fanout import FactHandler

log = logging.getLogger(__name__)


class ScaleOut:
    """Relays the hub over Redis, shares facts between processes, runs listeners under a lock.

    Facts of the PBXs this process listens to are shared (`on_fact`, one of the fact handlers),
    so every process's presence board (routing) and wallboard fold the same facts; the
    wallboard channel itself stays per process.
    """

    def __init__(
        self,
        *,
        hub: PushHub,
        url: str,
        prefix: str,
        agents: AgentDirectory,
        presence: PresenceBoard,
        remote: FactHandler | None = None,
    ) -> None:
        from callcenter.adapters.bus.redis_bus import RedisBus

        self._agents = agents
        self._presence = presence
        self._remote = remote  # where other processes' facts go besides presence (the wallboard)
        self.leaders: dict[str, AmiLeader] = {}
        self.bus: RedisBus = RedisBus(
            hub=hub,
            url=url,
            prefix=prefix,
            on_fact=self.apply_remote_fact,
            on_peer=self.share_presence,
        )

    async def start(self, listeners: Mapping[str, AmiListener], database_url: str) -> None:
        """Start the bus, then one leader lock per PBX; the leader starts that PBX's listener."""
        from callcenter.adapters.ami.leader import AmiLeader

        await self.bus.start()
        for name, listener in listeners.items():
            leader = AmiLeader(pbx=name, listener=listener, database_url=database_url)
            await leader.start()
            self.leaders[name] = leader

    async def aclose(self) -> None:
        """Give up every leader lock (stopping its listener), then the bus."""
        for leader in reversed(list(self.leaders.values())):
            await leader.stop()
        await self.bus.aclose()

    def on_fact(self, fact: Fact) -> None:
        """Send a fact of our own PBXs to the other processes, with the agent code resolved here."""
        code = None
        if isinstance(fact, AgentStateChanged):
            code = self._agents.code_for(fact.interface, fact.member_name)
        self.bus.publish_fact(fact, code=code)

    def apply_remote_fact(self, fact: Fact, code: str | None) -> None:
        """Fold another process's fact into presence and the wallboard; pops were sent there."""
        if isinstance(fact, AgentStateChanged):
            code = code or self._agents.code_for(fact.interface, fact.member_name)
            if code is not None:
                self._presence.apply(fact, code, self._agents.name_of(code))
        if self._remote is not None:
            self._remote(fact)

    def share_presence(self) -> None:
        """A process joined: a listening process tells it every agent's current state."""
        led = [name for name, leader in self.leaders.items() if leader.leading]
        if not led:
            return
        for p in self._presence.all():
            fact = AgentStateChanged(
                pbx=led[0],
                at=p.since,
                interface="",
                member_name=p.name,
                state=p.state,
                reason=p.reason,
                queues=p.queues,
                paused_in=p.paused_in,
            )
            self.bus.publish_fact(fact, code=p.code)
