"""Scale-out: the Redis bus between processes and one AMI listener per PBX cluster-wide.

Any process serves any request: PBX commands go to the PBX's listening process over the bus
(adapters/bus/remote_pbx.py), revocations reach every process at once, and after a bus outage
each process re-checks its token cache, recounts today's stored calls and takes presence and
the live calls from the listening process (its snapshot).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from callcenter.domain.agents.directory import AgentDirectory
from callcenter.domain.agents.presence import PresenceBoard
from callcenter.domain.calls.facts import AgentStateChanged, Fact

if TYPE_CHECKING:
    from callcenter.adapters.ami.leader import AmiLeader
    from callcenter.adapters.ami.listener import AmiListener
    from callcenter.adapters.bus.redis_bus import RedisBus
    from callcenter.adapters.bus.rpc import BusRpc
    from callcenter.adapters.push.hub import PushHub
    from callcenter.ports.pbx import PbxCommands
    from callcenter.ports.uow import UowFactory
    from callcenter.services.auth import TokenAuthenticator
    from callcenter.services.fact_fanout import FactHandler
    from callcenter.services.wallboard import WallboardService

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
        local: Mapping[str, PbxCommands] | None = None,
        wallboard: WallboardService | None = None,
    ) -> None:
        from callcenter.adapters.bus.redis_bus import RedisBus
        from callcenter.adapters.bus.remote_pbx import CommandsByLeader
        from callcenter.adapters.bus.rpc import BusRpc

        self._local: Mapping[str, PbxCommands] = {} if local is None else local
        self._wallboard = wallboard
        # Set by `attach` once the runtime exists: what a revocation and a reconnect do here.
        self.on_revoked: Callable[[int], None] | None = None
        self.on_reconnect: Callable[[], Awaitable[None]] | None = None
        self.on_work: Callable[[list[int]], None] | None = None  # items changed elsewhere
        self.on_work_login: Callable[[str], None] | None = None  # an agent's work groups
        self.on_bus_back: list[Callable[[], None]] = []  # what was missed is read again
        self._connections = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._agents = agents
        self._presence = presence
        self._remote = remote  # where other processes' facts go besides presence (the wallboard)
        self.leaders: dict[str, AmiLeader] = {}
        # Told when this process wins or loses a PBX's lock (once its listener has started or
        # stopped): the campaign runner dials only through the PBXs this process leads.
        self.on_leader_change: list[Callable[[str, bool], None]] = []
        self.bus: RedisBus = RedisBus(
            hub=hub,
            url=url,
            prefix=prefix,
            on_fact=self.apply_remote_fact,
            on_peer=self.share_presence,
        )
        self.rpc: BusRpc = BusRpc(
            url=url,
            prefix=prefix,
            node=self.bus.node,
            local_for=self._local_for,
            on_cast=self._on_cast,
            on_connected=self._connected,
        )
        self.commands: Mapping[str, PbxCommands] = CommandsByLeader(
            self._local, self.leads, self.rpc
        )

    async def start(self, listeners: Mapping[str, AmiListener], database_url: str) -> None:
        """Start the bus, then one leader lock per PBX; the leader starts that PBX's listener."""
        from callcenter.adapters.ami.leader import AmiLeader

        await self.bus.start()
        await self.rpc.start()
        for name, listener in listeners.items():
            leader = AmiLeader(
                pbx=name,
                listener=listener,
                database_url=database_url,
                on_change=self._leader_changed,
            )
            await leader.start()
            self.leaders[name] = leader

    async def aclose(self) -> None:
        """Give up every leader lock (stopping its listener), then the bus."""
        for leader in reversed(list(self.leaders.values())):
            await leader.stop()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.rpc.aclose()
        await self.bus.aclose()

    def attach(
        self,
        *,
        auth: TokenAuthenticator,
        hub: PushHub,
        wallboard: WallboardService,
        uow: UowFactory,
    ) -> None:
        """Revocations from other processes and reconnects act on this process's tokens,
        sockets and wallboard."""

        def revoked(token_id: int) -> None:
            auth.forget(token_id)
            closed = hub.disconnect(lambda sub: sub.token_id == token_id)
            log.info("token %d revoked elsewhere; %d socket(s) closed here", token_id, closed)

        async def reconnect() -> None:
            for token_id in await auth.recheck():
                revoked(token_id)
            await wallboard.rebuild(uow)

        self.on_revoked, self.on_reconnect = revoked, reconnect

    def _leader_changed(self, pbx: str, leading: bool) -> None:
        for hook in self.on_leader_change:
            try:
                hook(pbx, leading)
            except Exception:  # one hook failing must not keep the lock's state from the rest
                log.exception("leader change hook failed for %s", pbx)

    def leads(self, pbx: str) -> bool:
        """Whether this process holds the PBX's AMI connection now."""
        leader = self.leaders.get(pbx)
        return leader is not None and leader.leading

    async def work_changed(self, ids: list[int]) -> bool:
        """Tell every other process these work items changed; False when the bus is down."""
        return await self.rpc.cast({"type": "work", "ids": ids})

    async def work_login_changed(self, code: str) -> bool:
        """Tell every other process an agent logged in to or out of work groups."""
        return await self.rpc.cast({"type": "work_login", "agent": code})

    async def revoked(self, token_id: int) -> bool:
        """Tell every other process a token was revoked; False when the bus is down."""
        return await self.rpc.cast({"type": "revoked", "token_id": token_id})

    def _local_for(self, pbx: str) -> PbxCommands | None:
        return self._local.get(pbx) if self.leads(pbx) else None

    def _on_cast(self, body: dict[str, Any]) -> None:
        kind = body.get("type")
        if kind == "revoked" and self.on_revoked is not None:
            self.on_revoked(int(body["token_id"]))
        elif kind == "work" and self.on_work is not None:
            self.on_work([int(i) for i in body.get("ids") or ()])
        elif kind == "work_login" and self.on_work_login is not None:
            self.on_work_login(str(body.get("agent") or ""))
        elif kind == "resync":
            self._spawn(self._send_snapshot())
        elif kind == "live" and self._wallboard is not None and not self.leads(str(body["pbx"])):
            self._wallboard.adopt_live_calls(str(body["pbx"]), list(body["calls"]))

    def _connected(self) -> None:
        self._connections += 1
        if self._connections > 1:  # a reconnect: what was missed meanwhile is fetched again
            self._spawn(self._resync())

    def _spawn(self, coro: Awaitable[None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _resync(self) -> None:
        for _ in range(100):  # facts travel on the push bus: wait until it is back too
            if self.bus.healthy:
                break
            await asyncio.sleep(0.1)
        log.warning("bus back: re-checking tokens, recounting today, asking for the snapshot")
        if self.on_reconnect is not None:
            try:
                await self.on_reconnect()
            except Exception as exc:
                log.warning("resync after the bus outage incomplete: %r", exc)
        for back in self.on_bus_back:
            back()
        await self.rpc.cast({"type": "resync"})
        await self._send_snapshot()

    async def _send_snapshot(self) -> None:
        """The listening process's presence and live calls, for every other process."""
        self.share_presence()
        if self._wallboard is None:
            return
        for pbx in [name for name in self.leaders if self.leads(name)]:
            await self.rpc.cast(
                {"type": "live", "pbx": pbx, "calls": self._wallboard.live_calls(pbx)}
            )

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
