"""Starting a built runtime: today's figures, agents, background loops, listeners, FastAGI."""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from callcenter.background import cancel_and_wait
from callcenter.runtime import Runtime

if TYPE_CHECKING:
    from callcenter.scaleout import ScaleOut

log = logging.getLogger(__name__)

AGENT_REFRESH_S = 30.0


class StartupRefused(RuntimeError):
    """The process will not start, for a reason its message names and the operator can fix."""


async def start_runtime(runtime: Runtime, scaleout: ScaleOut | None) -> None:
    """Start everything `build_runtime` built; each start registers its closer (run reversed).

    A start that fails stops again whatever had already started, then raises.
    """
    try:
        await _start_all(runtime, scaleout)
    except BaseException:
        await runtime.close()
        raise


async def _start_all(runtime: Runtime, scaleout: ScaleOut | None) -> None:
    await refresh_agents(runtime)
    await _start_wallboard(runtime)
    runtime.closers.append(runtime.control.aclose)
    if runtime.journal is not None:  # its last flush runs after the store has drained
        runtime.journal.start()
        runtime.closers.append(runtime.journal.aclose)
    runtime.store.start()
    runtime.closers.append(runtime.store.aclose)
    runtime.closers.append(runtime.pops.aclose)
    runtime.closers.append(runtime.routing.aclose)
    await _start_webhooks(runtime)
    _start_background(runtime, _agent_refresher(runtime), "agent-refresh")
    if scaleout is None:
        for listener in runtime.listeners.values():
            await listener.start()
            runtime.closers.append(listener.stop)
    if runtime.pipelines:
        _start_background(runtime, _ticker(runtime), "ami-tick")
    if scaleout is not None:  # the advisory-lock leader of each PBX starts its listener
        from callcenter.campaign_wiring import campaign_runner

        campaign_runner(runtime, scaleout)  # and runs the campaigns' dialers
        await scaleout.start(runtime.listeners, runtime.settings.database_url)
        runtime.closers.append(scaleout.aclose)
    from callcenter.work_wiring import catch_up_queue_callbacks, start_smtp, start_work_wallboard

    await start_smtp(runtime)  # only when CALLCENTER_SMTP_PORT is set
    start_work_wallboard(runtime)
    # callbacks calls owed while no process filed them: in the background, a slow database
    # must not hold the start (intake nudges the offering loop for each)
    _start_background(runtime, catch_up_queue_callbacks(runtime), "queue-callbacks-catch-up")
    if runtime.work_login_view is not None:  # the wallboard's work groups per agent
        runtime.work_login_view.changed()  # read in the background (closed with the view)
    if runtime.work_offers is not None:  # after the listeners: it offers to agents they report
        await runtime.work_offers.start()
        runtime.closers.append(runtime.work_offers.aclose)
    if scaleout is None:  # after the listeners: its dialers hear the PBX from the start
        from callcenter.campaign_wiring import resume_campaigns

        await resume_campaigns(runtime)
    # The full collection of start-up garbage (50-100 ms with every thread stopped) and the
    # rest of the start run before Asterisk's first session can be accepted, not while it waits.
    tune_collector()
    _time_collector(runtime)
    if runtime.settings.agi_enabled:
        await _start_agi(runtime)


# Young generations of the cyclic GC (gen0 objects, gen0 passes per gen1 pass, gen1 passes per
# full pass). Profiled with 1000 agent sockets and 100 calls/s (bench/pop_latency.py, pauses timed
# with gc.callbacks in thread CPU time): (10000, 50) made every gen1 pass scan up to 500k young
# objects, 160-190 ms of CPU each, every 20-30 s: the whole of the pop's max; gen0 passes over
# 10000 objects were its p99 (p50 3-6 ms, p99 23 ms). Pops and their calls leave almost no cyclic
# garbage (under one object per pop); what a gen1 pass finds is mostly each websocket's discarded
# HTTP protocol (uvicorn's parser and protocol point at each other: ~15 objects per connect).
# Small young generations keep each pass short (gen0 p50 0.5-2 ms, gen1 max 30-36 ms CPU on a
# loaded machine). The price: more passes, about a fifth more GC CPU per pop (0.6-0.8 ms against
# 0.5-0.7), and garbage older than a gen1 window waits for a full pass (every 1000 gen1 passes,
# and only once the objects made since the last full pass exceed a quarter of the long-lived
# heap): memory, bounded; backend RSS at 1000 agents measured the same within run-to-run noise.
GC_THRESHOLDS = (3000, 3, 1000)


def tune_collector() -> None:
    """Keep the cyclic GC's long passes off the hot paths (the pop, the dialplan hooks).

    Start-up objects live as long as the process, so they are frozen out of every scan (CPython's
    default thresholds ran full collections over the whole heap every few seconds, each a
    150-300 ms stop); the young generations stay small so that each pass is short.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def _time_collector(runtime: Runtime) -> None:
    """Each collector pass timed: on /metrics, and logged when it held the loop long."""
    from callcenter.adapters.gc_pauses import GcPauses

    pauses = GcPauses()
    pauses.install()
    runtime.metrics.add_collector(pauses.families)

    async def stop() -> None:
        pauses.uninstall()

    runtime.closers.append(stop)


async def _start_wallboard(runtime: Runtime) -> None:
    """Rebuilt from today's stored calls: a restart never resets the day."""
    wallboard = runtime.wallboard
    try:
        await wallboard.rebuild(runtime.uow)
    except Exception as exc:  # a dead database must not stop the process; figures start at zero
        log.warning("wallboard could not rebuild today's figures: %r", exc)
    wallboard.start()
    runtime.closers.append(wallboard.aclose)


async def _start_webhooks(runtime: Runtime) -> None:
    """Subscriptions and the outbox's pending deliveries resume; queue names map to groups."""
    webhooks = runtime.webhooks
    try:
        async with runtime.uow() as uow:
            webhooks.group_of = {g.queue: g.slug for g in await uow.groups.list_all()}
    except Exception as exc:  # a dead database must not stop the process
        log.warning("webhooks: groups not loaded (group filters match nothing): %r", exc)
    await webhooks.start(lead=False)  # a dead database: subscriptions load on the next refresh
    runtime.closers.append(webhooks.aclose)
    if webhooks.deliver:  # one deliverer per database (PostgreSQL lock; SQLite: this process)
        from callcenter.adapters.ami.leader import AmiLeader

        leader = AmiLeader(
            pbx="all",
            purpose="webhook-deliverer",
            label="webhooks",
            role="deliverer",
            listener=webhooks.leading(),
            database_url=runtime.settings.database_url,
        )
        await leader.start()
        runtime.closers.append(leader.stop)  # closers run reversed: before webhooks.aclose
        runtime.webhook_leader = leader


async def refresh_agents(runtime: Runtime) -> None:
    """Reload which interface belongs to which agent (a dead database keeps the old map)."""
    from callcenter.domain.agents.directory import KnownAgent

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
        await refresh_agents(runtime)


def _start_background(runtime: Runtime, coro: Coroutine[Any, Any, None], name: str) -> None:
    task = asyncio.get_running_loop().create_task(coro, name=name)

    async def stop() -> None:
        await cancel_and_wait(task)

    runtime.closers.append(stop)


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
    # Until it listens Asterisk's connects are refused and it falls back at once; the first
    # sessions must not pay for cold paths (number metadata, the first database connection).
    await runtime.routing.warm_up()
    try:
        runtime.agi = await start_agi_server(
            runtime.routing,
            host=settings.agi_host,
            port=settings.agi_port,
            allow=settings.agi_allow,
        )
    except OSError as exc:
        # Asterisk would fall back on every call without anyone noticing: refuse to start.
        where = f"{settings.agi_host}:{settings.agi_port}"
        raise StartupRefused(f"FastAGI server could not listen on {where}: {exc}") from None
    log.info("FastAGI listening on %s:%d", runtime.agi.host, runtime.agi.port)
    runtime.closers.append(runtime.agi.stop)
