"""Wiring of the work-item offering loop and the callback dialler into a built runtime."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from callcenter.domain.work_assignment import Capacity
from callcenter.domain.work_callbacks import CallbackRule, parse_window

if TYPE_CHECKING:
    from callcenter.ports.pbx import PbxCommands
    from callcenter.runtime import Runtime
    from callcenter.settings import Settings


def callback_rule(settings: Settings) -> CallbackRule:
    """The callback attempts, retry interval and calling window of these settings."""
    start, end = parse_window(settings.callback_window)
    return CallbackRule(
        max_attempts=settings.callback_max_attempts,
        retry_after_s=settings.callback_retry_s,
        window_start=start,
        window_end=end,
    )


def capacities(settings: Settings) -> dict[str, Capacity]:
    """Per group capacity as configured (other groups get the default)."""
    return {
        group: Capacity(voice=c.voice, work=c.work, blend=c.blend)
        for group, c in settings.work_capacity.items()
    }


def attach_work_offers(runtime: Runtime, pbxs: Mapping[str, PbxCommands]) -> None:
    """Build the offering service over intake's items, hand it every fact; intake nudges it."""
    from callcenter.adapters.db.repo_work_logins import SqlWorkLogins
    from callcenter.adapters.db.repo_work_offers import SqlWorkOffers
    from callcenter.services.work_board import OfferRules
    from callcenter.services.work_callbacks import CallbackDialer
    from callcenter.services.work_history import WorkCloser
    from callcenter.services.work_offers import WorkOffers

    settings = runtime.settings
    if not settings.work_offers_enabled:
        return
    store = SqlWorkOffers(runtime.database.sessions)
    dialer = CallbackDialer(
        store=store,
        closer=WorkCloser(uow=runtime.database.uow, publish=runtime.webhooks.publish),
        pbxs=pbxs,
        notifier=runtime.desk,
        rule=callback_rule(settings),
        timezone=settings.timezone,
        region=settings.default_region,
        dial_timeout_s=settings.callback_dial_timeout_s,
        on_dial=runtime.pops.dialled,  # the callback's call pops the customer like a dial-out
    )
    work = WorkOffers(
        store=store,
        uow=runtime.database.uow,
        presence=runtime.presence,
        notifier=runtime.desk,
        dialer=dialer,
        rules=OfferRules(
            offer_timeout_s=settings.work_offer_timeout_s,
            capacities=capacities(settings),
            login_follows_queues=settings.work_login_follows_queues,
        ),
        logins=SqlWorkLogins(runtime.database.sessions),
        disposition_codes=tuple(settings.disposition_codes),
    )
    runtime.work_offers = work
    if runtime.work_items is not None:  # intake hands the loop what it stored: offered at once
        runtime.work_items.filed_hooks.append(work.filed)
    runtime.facts.handlers = (*runtime.facts.handlers, work.on_fact)


def attach_queue_withdraw(runtime: Runtime, pbxs: Mapping[str, PbxCommands]) -> None:
    """Withdraw callers who waited `CALLBACK_WITHDRAW_AFTER_S` (on the process that offers work,
    so one process sends it); their calls then file the keep-my-place callback."""
    from callcenter.domain.queue_withdraw import WithdrawRule
    from callcenter.services.queue_withdraw import QueueWithdrawer

    settings = runtime.settings
    rule = WithdrawRule(
        after_s=settings.callback_withdraw_after_s,
        queues=frozenset(settings.callback_withdraw_queues),
    )
    if not (settings.work_offers_enabled and rule.enabled):
        return
    withdrawer = QueueWithdrawer(rule=rule, pbxs=pbxs)
    runtime.facts.handlers = (*runtime.facts.handlers, withdrawer.on_fact)
    withdrawer.start()
    runtime.closers.append(withdrawer.aclose)


def attach_work_feed(runtime: Runtime) -> None:
    """The change feed of work items: this process's writes published on the bus (when scaled
    out), other processes' heard there or polled; the offering loop re-reads what changed."""
    from callcenter.adapters.db.repo_work_offers import SqlWorkOffers
    from callcenter.services.work_feed import WorkFeed

    settings, scaleout = runtime.settings, runtime.scaleout
    feed = WorkFeed(
        store=SqlWorkOffers(runtime.database.sessions),
        publish=scaleout.work_changed if scaleout is not None else None,
        bus_up=(lambda: scaleout.rpc.healthy) if scaleout is not None else None,
        poll_s=settings.work_feed_poll_s,
        sweep_s=settings.work_sweep_s,
    )
    runtime.work_feed = feed
    if scaleout is not None:
        scaleout.on_work = feed.heard
        scaleout.on_bus_back.append(feed.reconnected)
    work, offers = runtime.work_items, runtime.work_offers
    if work is not None:
        work.filed_hooks.append(lambda items: feed.wrote(i.id for i in items))
        work.moved_hooks.append(feed.wrote)
    if offers is not None:
        offers.on_wrote = feed.wrote
        feed.listeners.append(offers.changed)
        feed.resyncs.append(offers.resync)
        if work is not None:  # a supervisor's transition here: that item is read again
            work.moved_hooks.append(offers.changed)
    if runtime.work_transfers is not None:  # a transfer here: other processes read it again
        runtime.work_transfers.moved_hooks.append(feed.wrote)


def attach_work_login(runtime: Runtime) -> None:
    """Work-group logins on every process: stored, then told to this process's offering loop
    and (scaled out) over the bus to the process that offers, which re-reads them at once;
    without a bus, or while it is down, the offering process reads them with each poll of the
    change feed (`WORK_FEED_POLL_S`); and in any case with the floor every 30 s. Every
    process's wallboard shows each agent's work groups (read again on every change)."""
    from callcenter.adapters.db.repo_work_logins import SqlWorkLogins
    from callcenter.services.work_login import WorkLogin
    from callcenter.services.work_login_view import WorkLoginView

    scaleout, offers, settings = runtime.scaleout, runtime.work_offers, runtime.settings
    store = SqlWorkLogins(runtime.database.sessions)
    login = WorkLogin(
        uow=runtime.database.uow,
        store=store,
        presence=runtime.presence,
        follows_queues=settings.work_login_follows_queues,
        publish=scaleout.work_login_changed if scaleout is not None else None,
    )
    view = WorkLoginView(
        uow=runtime.database.uow,
        store=store,
        presence=runtime.presence,
        follows_queues=settings.work_login_follows_queues,
    )
    runtime.work_login, runtime.work_login_view = login, view
    view.on_change = runtime.wallboard.changed
    runtime.wallboard.work_groups = view.groups_of
    runtime.closers.append(view.aclose)

    def heard(code: str) -> None:  # a login here, or on another process
        view.changed(code)
        if offers is not None:
            offers.nudge(logins=True)

    login.listeners.append(heard)
    if scaleout is not None:
        scaleout.on_work_login = heard
    if offers is not None and runtime.work_feed is not None:  # no bus (or it is down)
        runtime.work_feed.polled.append(lambda: offers.nudge(logins=True))
