"""The AMI side of a process, as the bootstrap wires it: a pipeline and a listener per Asterisk,
and the live-call journal that a listener restores from before its first resync."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from callcenter.adapters.ami.sink import AmiSink, Message
from callcenter.runtime import Runtime

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from callcenter.domain.calls import CallTracker
    from callcenter.services.call_journal import CallJournaller
    from callcenter.services.queue_log_recovery import QueueLogRecovery


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
    trackers: dict[str, CallTracker] = {}  # filled below; the recovery reads it later
    recovery = queue_log_recovery(runtime, trackers)
    for server in settings.ami_servers:
        pipeline = AmiPipeline(
            pbx=server.name,
            region=settings.default_region,
            tracker=CallTracker(
                region=settings.default_region, queue_wrapup_s=settings.queue_wrapup_s
            ),
            on_fact=runtime.facts.on_fact,
        )
        if runtime.campaigns is not None:  # its dialers settle their calls after a resync
            pipeline.watchers.append(runtime.campaigns)
        runtime.pipelines[server.name] = pipeline
        trackers[server.name] = pipeline.tracker
        runtime.listeners[server.name] = AmiListener(
            server=server,
            sink=pipeline if recovery is None else RecoverAfterResync(pipeline, recovery),
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


def queue_log_recovery(
    runtime: Runtime, trackers: Mapping[str, CallTracker]
) -> QueueLogRecovery | None:
    """Reading back unseen calls from the queue_logs configured (none configured: None, said)."""
    from callcenter.adapters.metrics_journal import queue_log_collector
    from callcenter.adapters.queue_log_file import QueueLogFile
    from callcenter.services.queue_log_recovery import QueueLogRecovery

    settings = runtime.settings
    sources = {s.name: QueueLogFile(s.queue_log) for s in settings.ami_servers if s.queue_log}
    for server in settings.ami_servers:
        if server.queue_log is None:
            log.info(
                "AMI %s: no queue_log configured; calls that begin and end while no process is "
                "logged in cannot be stored",
                server.name,
            )
    if not sources:
        return None
    recovery = QueueLogRecovery(
        uow=runtime.uow,
        sources=sources,
        trackers=trackers,
        submit=runtime.store.submit,
        region=settings.default_region,
        lookback_s=settings.queue_log_lookback_s,
        flushed=runtime.store.flushed,
    )
    runtime.metrics.add_collector(queue_log_collector(recovery.stats))
    return recovery


class RecoverAfterResync:
    """The pipeline, plus a queue_log read-back once each resync has been handled (the calls the
    resync ended are submitted to the store first, so theirs are the records kept)."""

    def __init__(self, sink: AmiSink, recovery: QueueLogRecovery) -> None:
        self._sink = sink
        self._recovery = recovery
        self._tasks: dict[str, asyncio.Task[None]] = {}  # per PBX: the latest login's read-back

    def handle(self, message: Message, *, pbx: str, at: float) -> None:
        self._sink.handle(message, pbx=pbx, at=at)

    def connection_changed(self, *, pbx: str, connected: bool, at: float) -> None:
        self._sink.connection_changed(pbx=pbx, connected=connected, at=at)

    def resync(self, messages: Sequence[Message], *, pbx: str, at: float) -> None:
        self._sink.resync(messages, pbx=pbx, at=at)
        if self._recovery.covers(pbx):
            previous = self._tasks.get(pbx)
            if previous is not None:
                previous.cancel()
            recovering = self._recovery.recover_or_log(pbx)
            self._tasks[pbx] = asyncio.get_running_loop().create_task(recovering)
