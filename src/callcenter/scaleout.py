"""Scale-out wiring: the Redis bus between processes and one AMI listener per PBX cluster-wide."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from callcenter.domain.calls.facts import AgentStateChanged, Fact

if TYPE_CHECKING:
    from callcenter.adapters.bus.redis_bus import RedisBus
    from callcenter.runtime import Runtime

log = logging.getLogger(__name__)


async def attach_scaleout(runtime: Runtime, *, prefix: str | None = None) -> None:
    """Relay the hub through `settings.bus_url` and run each built listener under a leader lock.

    Call it from build_runtime after the listeners are built but NOT started. Facts of the
    PBXs this process listens to are shared, so every process's presence board (routing)
    and wallboard fold the same facts; the wallboard channel itself stays per process.
    """
    from callcenter.adapters.ami.leader import AmiLeader

    settings = runtime.settings
    if settings.bus_url:
        from callcenter.adapters.bus.redis_bus import RedisBus

        bus_prefix = prefix or settings.bus_prefix
        bus = RedisBus(
            hub=runtime.hub,
            url=settings.bus_url,
            prefix=bus_prefix,
            on_fact=lambda fact, code: apply_remote_fact(runtime, fact, code),
            on_peer=lambda: share_presence(runtime, bus),
        )
        runtime.tracking.add_listener(lambda fact: share_fact(runtime, bus, fact))
        await bus.start()
        runtime.closers.append(bus.aclose)
        runtime.extras["bus"] = bus
    leaders: dict[str, AmiLeader] = {}
    for name, listener in runtime.listeners.items():
        leader = AmiLeader(pbx=name, listener=listener, database_url=settings.database_url)
        await leader.start()
        runtime.closers.append(leader.stop)
        leaders[name] = leader
    runtime.extras["leaders"] = leaders


def share_fact(runtime: Runtime, bus: RedisBus, fact: Fact) -> None:
    """Send a fact of our own PBXs to the other processes, with the agent code resolved here."""
    code = None
    if isinstance(fact, AgentStateChanged):
        code = runtime.agents.code_for(fact.interface, fact.member_name)
    bus.publish_fact(fact, code=code)


def apply_remote_fact(runtime: Runtime, fact: Fact, code: str | None) -> None:
    """Fold another process's fact into presence and the wallboard; pops were sent over there."""
    if isinstance(fact, AgentStateChanged):
        code = code or runtime.agents.code_for(fact.interface, fact.member_name)
        if code is not None:
            runtime.tracking.presence.apply(fact, code, runtime.agents.name_of(code))
    board = runtime.extras.get("wallboard")
    if board is not None:
        board.on_fact(fact)


def share_presence(runtime: Runtime, bus: RedisBus) -> None:
    """A process joined: a listening process tells it every agent's current state."""
    leaders = runtime.extras.get("leaders", {})
    led = [name for name, leader in leaders.items() if leader.leading]
    if not led:
        return
    for p in runtime.tracking.presence.all():
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
        bus.publish_fact(fact, code=p.code)
