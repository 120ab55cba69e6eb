"""The one place that builds a process (database, services, fact handlers, runtime); commands and
benchmarks get their database and services here too (work: work_wiring, work_offers_wiring)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from callcenter.adapters.db.database import Database
from callcenter.ami_wiring import build_ami, live_call_journal
from callcenter.runtime import Runtime
from callcenter.settings import Settings
from callcenter.webhooks_wiring import webhook_service
from callcenter.work_offers_wiring import (
    attach_queue_withdraw,
    attach_work_feed,
    attach_work_login,
    attach_work_offers,
)
from callcenter.work_wiring import (
    attach_desk_intake,
    attach_queue_callbacks,
    attach_work_transfers,
    queue_callbacks,
    work_item_service,
)

if TYPE_CHECKING:
    from callcenter.adapters.ami.listener import AmiListener
    from callcenter.adapters.ami.pipeline import AmiPipeline
    from callcenter.domain.agents.presence import PresenceBoard
    from callcenter.domain.calls.facts import Fact
    from callcenter.ports.pbx import PbxCommands
    from callcenter.services.agent_control import AgentControl
    from callcenter.services.call_store import CallStore
    from callcenter.services.customers import Directory
    from callcenter.services.routing import RoutingService
    from callcenter.services.wallboard import WallboardService
    from callcenter.services.webhooks import WebhookService
    from callcenter.services.work_items import WorkItemService

log = logging.getLogger(__name__)


def database(settings: Settings | str) -> Database:
    """The database of these settings (or of a URL); connects lazily, close with `aclose()`."""
    url = settings if isinstance(settings, str) else settings.database_url
    return Database.open(url)


@asynccontextmanager
async def open_database(settings: Settings | str) -> AsyncIterator[Database]:
    """`database(...)` for the length of a block (CLI commands, benchmarks, test seeding)."""
    db = database(settings)
    try:
        yield db
    finally:
        await db.aclose()


def directory(db: Database, region: str) -> Directory:
    """The customer directory service over this database."""
    from callcenter.services.customers import Directory

    return Directory(uow=db.uow, region=region)


def routing_service(
    settings: Settings,
    db: Database,
    presence: PresenceBoard | None = None,
    on_routed: Callable[[float], None] | None = None,
    work: WorkItemService | None = None,
) -> RoutingService:
    """The router of these settings: rule book, snapshots, presence, callbacks filed by `work`."""
    from callcenter.adapters.db.snapshots import SqlSnapshots
    from callcenter.adapters.loop_lag import recent_lag
    from callcenter.services.routing import RoutingService, load_rules
    from callcenter.services.routing_sources import BoardPresence

    rules = work.placer.rules if work is not None else load_rules(settings.routing_file)
    return RoutingService(
        rules=rules,
        snapshots=SqlSnapshots(db.lookups),
        presence=BoardPresence(presence) if presence is not None else None,
        callbacks=work or work_item_service(settings, db, rules, presence),
        region=settings.default_region,
        deadline_s=settings.route_deadline_ms / 1000,
        on_routed=on_routed,
        max_pending=settings.route_max_pending,
        loop_lag=recent_lag,
    )


def call_store(settings: Settings, db: Database, capacity: int | None = None) -> CallStore:
    """The bounded writer of finished calls (start it, then `aclose()` it)."""
    from callcenter.services.call_store import CallStore

    return CallStore(uow=db.uow, capacity=capacity or settings.call_buffer_capacity)


async def build_runtime(settings: Settings) -> Runtime:
    """Build every component of one process, then start its background work."""
    from callcenter import supervision_wiring as wiring
    from callcenter.adapters.ami.commands import AmiCommandsByServer
    from callcenter.adapters.db.popview import SqlPopSource
    from callcenter.adapters.db.repo_audit import SqlAuditLog
    from callcenter.adapters.metrics import CallCenterMetrics
    from callcenter.adapters.push.handshakes import HandshakeGate
    from callcenter.adapters.push.hub import PushHub
    from callcenter.adapters.push.notifier import HubNotifier
    from callcenter.campaign_wiring import attach_campaign_desk, campaign_service
    from callcenter.domain.agents.directory import AgentDirectory
    from callcenter.domain.agents.presence import PresenceBoard
    from callcenter.floor_wiring import desk_services, wallboard_service
    from callcenter.lifecycle import start_runtime
    from callcenter.scaleout import ScaleOut
    from callcenter.services.auth import TokenAuthenticator
    from callcenter.services.call_customers import CallCustomers
    from callcenter.services.call_tracking import AgentStates, CallRecorder
    from callcenter.services.desk import DeskBook
    from callcenter.services.fact_fanout import FactFanout, FactHandler
    from callcenter.services.screen_pop import ScreenPopService

    region = settings.default_region
    db = database(settings)
    hub = PushHub.from_settings(settings)
    notifier = HubNotifier(hub)
    agents = AgentDirectory()
    presence = PresenceBoard()
    metrics = CallCenterMetrics()
    customers = CallCustomers()
    webhooks = webhook_service(settings, db, on_delivered=metrics.observe_webhook)
    work = work_item_service(settings, db, presence=presence, publish=webhooks.publish)
    routing = routing_service(settings, db, presence, metrics.observe_route, work)
    desk = DeskBook(inner=notifier, wrapup_s=dict(settings.queue_wrapup_s))
    pops = ScreenPopService(
        notifier=desk,  # the desk remembers what each desktop was sent, for a reloaded page
        directory=SqlPopSource(db.engine, region=region),
        agents=agents,
        region=region,
        on_pop=metrics.observe_pop,
        customers=customers,
    )
    store = call_store(settings, db)
    wallboard = wallboard_service(settings, notifier, presence, agents)
    pipelines: dict[str, AmiPipeline] = {}
    listeners: dict[str, AmiListener] = {}
    pbxs: Mapping[str, PbxCommands] = AmiCommandsByServer(listeners)
    scaleout = None

    def remote_fact(fact: Fact) -> None:  # another process's fact (its PBX's listener)
        wallboard.on_fact(fact)
        control.on_fact(fact)

    if settings.bus_url:  # commands for a PBX another process listens to go over the bus
        scaleout = ScaleOut(
            hub=hub,
            url=settings.bus_url,
            prefix=settings.bus_prefix,
            agents=agents,
            presence=presence,
            remote=remote_fact,
            local=pbxs,
            wallboard=wallboard,
        )
        pbxs = scaleout.commands
    control = _agent_control(settings, db, pbxs, pipelines, presence, store, wallboard, webhooks)
    control.on_dial = pops.dialled  # a click-to-dial pops like an inbound call once it connects
    control.pending_pauses.on_change = wallboard.changed  # the board shows pending pauses
    wallboard.pause_pending = control.pending_pauses.reason
    audit = SqlAuditLog(db.engine)  # supervision spies through this process's own listeners
    supervision = wiring.supervision_service(
        settings, db, listeners, pipelines, audit, interface_of=agents.interface_of
    )
    recordings = wiring.recording_service(settings, db, audit, listeners, pipelines)
    campaigns = campaign_service(settings, db, pbxs, webhooks.publish)  # campaign_wiring.py
    recorder = CallRecorder(
        store=store,
        customers=customers,
        decision_for=lambda linkedid: (
            None if (d := routing.decision_for(linkedid)) is None else d.to_json()
        ),
    )
    owed = queue_callbacks(settings, db, work)  # withdrawn / abandoned callers' callbacks
    recorder.on_record = owed.on_recorded
    # Every fact of every PBX goes to these handlers, in this order. None reads another's state
    # (the pop and the recorder meet through `customers`; metrics are hooks inside the pop and
    # the router), so the order only fixes how one fact's effects show up in a log: the
    # agent's presence, the stored record, the desktop, the wallboard, agent control, the bus.
    handlers: list[FactHandler] = [
        AgentStates(notifier=notifier, agents=agents, presence=presence).on_fact,
        recorder.on_fact,
        pops.on_fact,
        wallboard.on_fact,
        control.on_fact,
        supervision.on_fact,
        recordings.on_fact,
        webhooks.on_fact,
        campaigns.on_fact,
    ]
    if scaleout is not None:
        handlers.append(scaleout.on_fact)
    facts = FactFanout(handlers)
    runtime = Runtime(
        settings=settings,
        database=db,
        hub=hub,
        handshakes=HandshakeGate(settings.ws_handshakes_at_once),
        auth=TokenAuthenticator.from_settings(db.uow, settings),
        directory=directory(db, region),
        agents=agents,
        presence=presence,
        routing=routing,
        pops=pops,
        desk=desk,
        store=store,
        wallboard=wallboard,
        control=control,
        metrics=metrics,
        facts=facts,
        webhooks=webhooks,
        pipelines=pipelines,
        listeners=listeners,
        supervision=supervision,
        audit=audit,
        recordings=recordings,
        quality=wiring.quality_service(db, audit),
        work_items=work,
        campaigns=campaigns,
    )
    # reversed at shutdown: the index writes (and uploads) finish before the store closes
    runtime.closers += [
        recordings.close_store,
        campaigns.aclose,
        supervision.aclose,
        recordings.aclose,
    ]
    desk_services(runtime)
    attach_campaign_desk(runtime)  # campaign_wiring.py
    attach_desk_intake(runtime)
    build_ami(runtime)
    attach_work_offers(runtime, pbxs)  # after the AMI: it joins the end of the fact handlers
    attach_queue_callbacks(runtime, owed)
    attach_queue_withdraw(runtime, pbxs)
    attach_work_transfers(runtime)  # after the offering loop, which requeues what moves
    runtime.journal = live_call_journal(runtime)
    if scaleout is not None:
        runtime.bus = scaleout.bus
        runtime.leaders = scaleout.leaders
        scaleout.attach(auth=runtime.auth, hub=hub, wallboard=wallboard, uow=db.uow)
        runtime.scaleout = scaleout
    attach_work_feed(runtime)  # after the bus: other processes hear of this one's work items
    attach_work_login(runtime)  # after the bus: a login here reaches the offering process
    await start_runtime(runtime, scaleout)
    return runtime


def _agent_control(
    settings: Settings,
    db: Database,
    pbxs: Mapping[str, PbxCommands],
    pipelines: dict[str, AmiPipeline],
    presence: PresenceBoard,
    store: CallStore,
    wallboard: WallboardService,
    webhooks: WebhookService,
) -> AgentControl:
    """Agent control over AMI; it sees every fact from the start (which call an agent is on)."""
    from callcenter.services.agent_control import AgentControl
    from callcenter.services.dispositions import Disposition

    def is_live(linkedid: str) -> bool:
        return any(linkedid in p.tracker.live_calls(name) for name, p in pipelines.items())

    def applied(item: Disposition, pbx: str) -> None:
        wallboard.on_disposition(
            pbx=pbx, linkedid=item.linkedid, code=item.code, settled=item.settled
        )
        webhooks.on_disposition(pbx=pbx, item=item)

    return AgentControl(
        uow=db.uow,
        pbxs=pbxs,
        presence=presence,
        pause_reasons=settings.pause_reasons,
        disposition_codes=settings.disposition_codes,
        region=settings.default_region,
        records=store,
        is_live=is_live,
        on_disposition=applied,
    )
