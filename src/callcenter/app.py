"""The app factory: the one module that builds and wires every component (no IO at import)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI

from callcenter.runtime import Runtime
from callcenter.settings import Settings, load_settings

if TYPE_CHECKING:
    from callcenter.services.routing import RoutingService

log = logging.getLogger(__name__)

AGENT_REFRESH_S = 30.0


async def build_runtime(settings: Settings) -> Runtime:
    """Create the engine, hub and services of one process and start its background work."""
    from callcenter.adapters.db.engine import make_engine, make_session_factory
    from callcenter.adapters.db.popview import SqlPopSource
    from callcenter.adapters.db.snapshots import SqlSnapshots
    from callcenter.adapters.db.uow import SqlUnitOfWork
    from callcenter.adapters.metrics import attach_metrics
    from callcenter.adapters.push.hub import PushHub
    from callcenter.domain.agent_directory import AgentDirectory
    from callcenter.domain.presence import PresenceBoard
    from callcenter.services.auth import TokenAuthenticator
    from callcenter.services.call_store import CallStore
    from callcenter.services.call_tracking import CallTracking
    from callcenter.services.customers import Directory
    from callcenter.services.routing import RoutingService, load_rules
    from callcenter.services.routing_sources import BoardPresence
    from callcenter.services.screen_pop import ScreenPopService

    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)

    def uow() -> SqlUnitOfWork:
        return SqlUnitOfWork(sessions)

    hub = PushHub.from_settings(settings)
    agents = AgentDirectory()
    presence = PresenceBoard()
    directory = Directory(uow=uow, region=settings.default_region)
    routing = RoutingService(
        rules=load_rules(settings.routing_file),
        snapshots=SqlSnapshots(engine),
        presence=BoardPresence(presence),
        region=settings.default_region,
        deadline_s=settings.route_deadline_ms / 1000,
    )
    pops = ScreenPopService(
        notifier=hub,
        directory=SqlPopSource(engine, region=settings.default_region),
        agents=agents,
        region=settings.default_region,
    )
    store = CallStore(uow=uow, capacity=settings.call_buffer_capacity)
    tracking = CallTracking(
        notifier=hub,
        pops=pops,
        store=store,
        presence=presence,
        decision_for=lambda linkedid: _decision_json(routing, linkedid),
    )
    runtime = Runtime(
        settings=settings,
        engine=engine,
        sessions=sessions,
        hub=hub,
        auth=TokenAuthenticator(uow=uow),
        directory=directory,
        agents=agents,
        routing=routing,
        pops=pops,
        store=store,
        tracking=tracking,
    )
    attach_metrics(runtime)
    await _refresh_agents(runtime)
    await _start_wallboard(runtime)
    _start_agent_control(runtime)
    store.start()
    runtime.closers.append(store.aclose)
    runtime.closers.append(pops.aclose)
    runtime.closers.append(routing.aclose)
    _start_background(runtime, _agent_refresher(runtime), "agent-refresh")
    await _start_ami(runtime)
    if settings.bus_url:
        from callcenter.scaleout import attach_scaleout

        await attach_scaleout(runtime)
    if settings.agi_enabled:
        await _start_agi(runtime)
    return runtime


async def _start_wallboard(runtime: Runtime) -> None:
    """Live per-group figures, rebuilt from today's stored calls: a restart never resets the day."""
    from callcenter.services.wallboard import WallboardService

    settings = runtime.settings
    agents = runtime.agents
    wallboard = WallboardService(
        notifier=runtime.hub,
        presence=runtime.tracking.presence,
        groups=[],  # rebuild() loads them from the groups table
        timezone=settings.timezone,
        day_start_hour=settings.day_start_hour,
        short_abandon_s=settings.sl_short_abandon_s,
        wrapup_s=dict(settings.queue_wrapup_s),
        agent_code=lambda name: agents.code_for(name, name),
    )
    runtime.tracking.add_listener(wallboard.on_fact)
    runtime.extras["wallboard"] = wallboard
    try:
        await wallboard.rebuild(runtime.uow)
    except Exception as exc:  # a dead database must not stop the process; figures start at zero
        log.warning("wallboard could not rebuild today's figures: %r", exc)
    wallboard.start()
    runtime.closers.append(wallboard.aclose)


def _start_agent_control(runtime: Runtime) -> None:
    """Agent control over AMI; it must see every fact from the start (which call an agent is on)."""
    from callcenter.services.agent_control import AgentControl
    from callcenter.services.dispositions import Disposition
    from callcenter.services.wallboard import WallboardService

    settings = runtime.settings
    pipelines = runtime.pipelines
    wallboard = runtime.extras.get("wallboard")

    def is_live(linkedid: str) -> bool:
        return any(linkedid in p.tracker.live_calls(name) for name, p in pipelines.items())

    def applied(item: Disposition, pbx: str) -> None:
        if isinstance(wallboard, WallboardService):
            wallboard.on_disposition(
                pbx=pbx, linkedid=item.linkedid, code=item.code, settled=item.settled
            )

    control = AgentControl(
        uow=runtime.uow,
        pbxs=runtime.listeners,
        presence=runtime.tracking.presence,
        pause_reasons=settings.pause_reasons,
        disposition_codes=settings.disposition_codes,
        region=settings.default_region,
        records=runtime.store,
        is_live=is_live,
        on_disposition=applied,
    )
    runtime.extras["agent_control"] = control
    runtime.tracking.add_listener(control.on_fact)
    runtime.closers.append(control.aclose)


def _decision_json(routing: RoutingService, linkedid: str) -> dict[str, Any] | None:
    decision = routing.decision_for(linkedid)
    return None if decision is None else decision.to_json()


async def _refresh_agents(runtime: Runtime) -> None:
    """Reload which interface belongs to which agent (a dead database keeps the old map)."""
    from callcenter.domain.agent_directory import KnownAgent

    try:
        async with runtime.uow() as uow:
            rows = await uow.agents.list_all()
    except Exception as exc:
        log.warning("could not load agents: %r", exc)
        return
    runtime.agents.replace(
        KnownAgent(
            code=a.code, name=a.name, interface=a.interface, state_interface=a.state_interface
        )
        for a in rows
    )


async def _agent_refresher(runtime: Runtime) -> None:
    while True:
        await asyncio.sleep(AGENT_REFRESH_S)
        await _refresh_agents(runtime)


def _start_background(runtime: Runtime, coro: Coroutine[Any, Any, None], name: str) -> None:
    task = asyncio.get_running_loop().create_task(coro, name=name)

    async def stop() -> None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    runtime.closers.append(stop)


async def _start_ami(runtime: Runtime) -> None:
    """One pipeline and one listener per configured Asterisk server."""
    from callcenter.adapters.ami.listener import AmiListener
    from callcenter.adapters.ami.pipeline import AmiPipeline
    from callcenter.adapters.ami.protocol import CallCenterAMIProtocol
    from callcenter.adapters.ami.translate import wanted_frame
    from callcenter.domain.calls import CallTracker

    def protocol_factory() -> CallCenterAMIProtocol:
        protocol = CallCenterAMIProtocol()
        protocol.frame_filter = wanted_frame
        return protocol

    settings = runtime.settings
    for server in settings.ami_servers:
        pipeline = AmiPipeline(
            pbx=server.name,
            region=settings.default_region,
            tracker=CallTracker(
                region=settings.default_region, queue_wrapup_s=settings.queue_wrapup_s
            ),
            on_fact=runtime.tracking.on_fact,
        )
        listener = AmiListener(server=server, sink=pipeline, protocol_factory=protocol_factory)
        runtime.pipelines[server.name] = pipeline
        runtime.listeners[server.name] = listener
        if not settings.bus_url:  # with a bus, the advisory-lock leader starts it
            await listener.start()
            runtime.closers.append(listener.stop)
    if runtime.pipelines:
        _start_background(runtime, _ticker(runtime), "ami-tick")


async def _ticker(runtime: Runtime) -> None:
    """Time-driven facts (agents leaving wrap-up) once a second."""
    while True:
        await asyncio.sleep(1.0)
        now = time.time()
        for pipeline in runtime.pipelines.values():
            try:
                pipeline.tick(now)
            except Exception:
                log.exception("tick failed")


async def _start_agi(runtime: Runtime) -> None:
    from callcenter.adapters.agi import start_agi_server

    settings = runtime.settings
    try:
        runtime.agi = await start_agi_server(
            runtime.routing, host=settings.agi_host, port=settings.agi_port
        )
    except OSError as exc:
        log.error(
            "FastAGI server could not listen on %s:%d: %s",
            settings.agi_host,
            settings.agi_port,
            exc,
        )
        return
    log.info("FastAGI listening on %s:%d", runtime.agi.host, runtime.agi.port)
    runtime.closers.append(runtime.agi.stop)


def _tune_collector() -> None:
    """Keep the cyclic GC's full passes off the pop's hot path.

    Measured with 1000 agent sockets at 100 calls/s: CPython's default thresholds ran full
    collections over the whole heap every few seconds, each a 150-300 ms stop — the entire tail of
    the pop latency. Start-up objects live as long as the process, so they are frozen out of every
    scan; the young generations are collected less often, and full passes become rare.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 50, 1000)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The FastAPI application; its lifespan builds and closes the runtime."""
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = await build_runtime(settings)
        app.state.runtime = runtime
        _tune_collector()
        try:
            yield
        finally:
            await runtime.close()

    app = FastAPI(
        title="callcenter",
        version="0.1.0",
        description="Asterisk call-center backend: routing, screen-pop, wallboard, CRM.",
        lifespan=lifespan,
        docs_url=None,  # api/api_docs.py serves /docs from the package, not a CDN
        redoc_url=None,
    )
    from fastapi.exceptions import RequestValidationError

    from callcenter.api import ROUTERS
    from callcenter.api.validation import validation_error
    from callcenter.api.ws import router as ws_router

    app.add_exception_handler(RequestValidationError, validation_error)

    for router in ROUTERS:
        app.include_router(router)
    app.include_router(ws_router)
    return app
