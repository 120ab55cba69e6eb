"""The AMI side of a process, as the bootstrap wires it: a pipeline and a listener per Asterisk,
and the live-call journal that a listener restores from before its first resync."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from callcenter.runtime import Runtime

if TYPE_CHECKING:
    from callcenter.services.call_journal import CallJournaller


def build_ami(runtime: Runtime) -> None:
    """One pipeline and one (not yet started) listener per configured Asterisk server."""
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
            on_fact=runtime.facts.on_fact,
        )
        runtime.pipelines[server.name] = pipeline
        runtime.listeners[server.name] = AmiListener(
            server=server,
            sink=pipeline,
            protocol_factory=protocol_factory,
            max_queue=settings.ami_max_queue,
            resync_timeout_s=settings.ami_resync_timeout_s,
            on_start=journal_restore(runtime, server.name),
        )


def live_call_journal(runtime: Runtime) -> CallJournaller:
    """The live-call journal of every pipeline's tracker, in the database; counted in /metrics."""
    from callcenter.adapters.db.live_calls import SqlLiveCallJournal
    from callcenter.adapters.metrics_journal import journal_collector
    from callcenter.services.call_journal import CallJournaller

    journal = CallJournaller(
        journal=SqlLiveCallJournal(runtime.database.engine),
        trackers={name: p.tracker for name, p in runtime.pipelines.items()},
        store=runtime.store,
        restore_delay_s=1.0 if runtime.settings.bus_url else 0.0,
    )
    runtime.metrics.add_collector(journal_collector(journal.stats))
    return journal


def journal_restore(runtime: Runtime, pbx: str) -> Callable[[], Awaitable[None]]:
    """Run when `pbx`'s listener starts: the journalled calls go back before the first resync."""

    async def restore() -> None:
        if runtime.journal is not None:
            await runtime.journal.restore_or_log(pbx)

    return restore
