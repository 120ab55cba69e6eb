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
            offer_timeout_s=settings.work_offer_timeout_s, capacities=capacities(settings)
        ),
        disposition_codes=tuple(settings.disposition_codes),
    )
    runtime.work_offers = work
    if runtime.work_items is not None:  # intake nudges the loop after storing an item
        runtime.work_items.on_filed = work.nudge
        runtime.work_items.on_filed_items = work.filed  # offered without reading them back
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
