"""Wiring of work items: the intake service (also the router's callback sink) and the SMTP
receiver, started only when CALLCENTER_SMTP_PORT is set (0 picks a free port)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime

    from callcenter.adapters.db.database import Database
    from callcenter.domain.agents.presence import PresenceBoard
    from callcenter.domain.routing.rules import RoutingRules
    from callcenter.domain.work_items import WorkItem
    from callcenter.ports.webhooks import EventSink
    from callcenter.runtime import Runtime
    from callcenter.services.queue_callbacks import QueueCallbacks
    from callcenter.services.work_items import WorkItemService
    from callcenter.services.work_requests import Intake
    from callcenter.settings import Settings

log = logging.getLogger(__name__)


def work_item_service(
    settings: Settings,
    db: Database,
    rules: RoutingRules | None = None,
    presence: PresenceBoard | None = None,
    publish: EventSink | None = None,
) -> WorkItemService:
    """Work-item intake over this database, the rule book and (when given) live presence;
    `publish` (the webhook service's) gets work_item.created and work_item.done."""
    from callcenter.adapters.db.snapshots import SqlSnapshots
    from callcenter.adapters.work_files import DiskFileStore
    from callcenter.services.routing import load_rules
    from callcenter.services.routing_sources import BoardPresence
    from callcenter.services.work_items import WorkItemService
    from callcenter.services.work_matching import Placer

    placer = Placer(
        rules=rules or load_rules(settings.routing_file),
        snapshots=SqlSnapshots(db.lookups),
        presence=BoardPresence(presence) if presence is not None else None,
    )
    return WorkItemService(
        uow=db.uow,
        files=DiskFileStore(settings.work_files_dir),
        placer=placer,
        region=settings.default_region,
        publish=publish,
    )


def queue_callbacks(settings: Settings, db: Database, work: WorkItemService) -> QueueCallbacks:
    """The callbacks finished calls are owed (withdrawn callers, abandoned known callers)."""
    from callcenter.domain.queue_callbacks import AbandonRule
    from callcenter.services.queue_callbacks import QueueCallbacks

    async def file(intake: Intake, actor: str, now: datetime) -> WorkItem:
        return await work.submit(intake, actor=actor, now=now)

    return QueueCallbacks(
        uow=db.uow,
        file=file,
        groups=work.groups,
        rule=AbandonRule(
            enabled=settings.callback_abandoned,
            min_wait_s=settings.callback_abandoned_min_wait_s,
        ),
        region=settings.default_region,
    )


def attach_queue_callbacks(runtime: Runtime, owed: QueueCallbacks) -> None:
    """Cancelled owed callbacks leave the offering loop; filing is awaited at shutdown."""
    offers = runtime.work_offers

    async def forget(item_id: int) -> None:
        if offers is not None and offers.dialer.settle is not None:
            await offers.dialer.settle(None, item_id)

    owed.on_cancelled = forget
    runtime.queue_callbacks = owed
    runtime.closers.append(owed.aclose)


async def catch_up_queue_callbacks(runtime: Runtime) -> None:
    """Callbacks calls owed while no process filed them (a crash, a long database outage)."""
    if runtime.queue_callbacks is None:
        return
    try:
        await runtime.queue_callbacks.catch_up()
    except Exception as exc:  # a dead database must not stop the process; the next start tries
        log.warning("callbacks owed by stored calls not checked: %r", exc)


def attach_desk_intake(runtime: Runtime) -> None:
    """The desktop's "log a letter" and "log a remittance slip", over work-item intake."""
    from callcenter.services.work_desk import DeskIntake

    if runtime.work_items is not None:
        runtime.work_desk = DeskIntake(work=runtime.work_items, uow=runtime.database.uow)


def attach_work_transfers(runtime: Runtime) -> None:
    """Sending work items to another group; requeued by the offering loop when it runs here."""
    from callcenter.adapters.db.repo_work_offers import SqlWorkOffers
    from callcenter.adapters.db.repo_work_transfers import SqlWorkTransfers
    from callcenter.services.work_transfer import WorkTransfers

    work = runtime.work_items
    if work is None:
        return
    sessions = runtime.database.sessions
    runtime.work_transfers = WorkTransfers(
        uow=runtime.database.uow,
        items=SqlWorkOffers(sessions),
        store=SqlWorkTransfers(sessions),
        rules=lambda: work.placer.rules,
        notifier=runtime.desk,
    )
    runtime.work_transfers.offers = runtime.work_offers


async def start_smtp(runtime: Runtime) -> None:
    """Start the SMTP receiver when configured; a port that cannot be had refuses start-up."""
    from callcenter.adapters.smtp.receiver import start_smtp as listen
    from callcenter.lifecycle import StartupRefused

    settings = runtime.settings
    if settings.smtp_port is None or runtime.work_items is None:
        return
    try:
        runtime.smtp = await listen(
            runtime.work_items,
            host=settings.smtp_host,
            port=settings.smtp_port,
            allow=settings.smtp_allow,
            max_bytes=settings.smtp_max_bytes,
        )
    except OSError as exc:  # relays would bounce mail while we look healthy: refuse to start
        where = f"{settings.smtp_host}:{settings.smtp_port}"
        raise StartupRefused(f"SMTP receiver could not listen on {where}: {exc}") from None
    log.info("SMTP receiver listening on %s:%d", runtime.smtp.host, runtime.smtp.port)
    runtime.closers.append(runtime.smtp.stop)


def start_work_wallboard(runtime: Runtime) -> None:
    """Work-item figures per group in the wallboard snapshot, re-read when items change (and
    the change feed, which starts here, tells of other processes' changes)."""
    from callcenter.services.work_wallboard import WorkWallboard

    board = WorkWallboard(
        uow=runtime.database.uow,
        timezone=runtime.settings.timezone,
        on_change=runtime.wallboard.changed,
    )
    runtime.wallboard.work_figures = board.for_group
    if runtime.work_items is not None:  # new items counted in memory; a move is read again
        runtime.work_items.filed_hooks.append(board.filed)
        runtime.work_items.moved_hooks.append(lambda ids: board.nudge())
    if runtime.work_offers is not None:
        runtime.work_offers.on_closed = board.nudge
    if runtime.work_transfers is not None:
        runtime.work_transfers.moved_hooks.append(lambda ids: board.nudge())
    feed = runtime.work_feed
    if feed is not None:  # other processes' changes, the sweep, a resync: read again
        feed.listeners.append(lambda ids: board.nudge())
        feed.resyncs.append(board.nudge)
        feed.start()
        runtime.closers.append(feed.aclose)
    board.start()
    runtime.closers.append(board.aclose)
