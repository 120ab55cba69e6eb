"""The wired components of one process, as `callcenter.bootstrap.build_runtime` built them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

_log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from callcenter.adapters.agi import AgiServer
    from callcenter.adapters.ami.leader import AmiLeader
    from callcenter.adapters.ami.listener import AmiListener
    from callcenter.adapters.ami.pipeline import AmiPipeline
    from callcenter.adapters.bus.redis_bus import RedisBus
    from callcenter.adapters.db.database import Database
    from callcenter.adapters.db.uow import SqlUnitOfWork
    from callcenter.adapters.metrics import CallCenterMetrics
    from callcenter.adapters.push.handshakes import HandshakeGate
    from callcenter.adapters.push.hub import PushHub
    from callcenter.domain.agents.directory import AgentDirectory
    from callcenter.domain.agents.presence import PresenceBoard
    from callcenter.ports.audit import AuditLog
    from callcenter.scaleout import ScaleOut
    from callcenter.services.agent_control import AgentControl
    from callcenter.services.auth import TokenAuthenticator
    from callcenter.services.call_journal import CallJournaller
    from callcenter.services.call_store import CallStore
    from callcenter.services.callback_promises import CallbackPromises
    from callcenter.services.campaign_desk import CampaignDesk
    from callcenter.services.campaign_preview import CampaignPreview
    from callcenter.services.campaigns import CampaignService
    from callcenter.services.customers import Directory
    from callcenter.services.desk import DeskBook
    from callcenter.services.fact_fanout import FactFanout
    from callcenter.services.floor_control import FloorControl
    from callcenter.services.quality import QualityService
    from callcenter.services.queue_callbacks import QueueCallbacks
    from callcenter.services.recordings import RecordingService
    from callcenter.services.routing import RoutingService
    from callcenter.services.screen_pop import ScreenPopService
    from callcenter.services.supervision import Supervision
    from callcenter.services.wallboard import WallboardService
    from callcenter.services.webhooks import WebhookService
    from callcenter.services.work_desk import DeskIntake
    from callcenter.services.work_feed import WorkFeed
    from callcenter.services.work_items import WorkItemService
    from callcenter.services.work_login import WorkLogin
    from callcenter.services.work_login_view import WorkLoginView
    from callcenter.services.work_offers import WorkOffers
    from callcenter.services.work_transfer import WorkTransfers
    from callcenter.settings import Settings


@dataclass
class Runtime:
    """Everything a request handler or background task may need; built once per process."""

    settings: Settings
    database: Database
    hub: PushHub
    handshakes: HandshakeGate  # websocket handshakes at work at once
    auth: TokenAuthenticator
    directory: Directory
    agents: AgentDirectory
    presence: PresenceBoard
    routing: RoutingService
    pops: ScreenPopService
    desk: DeskBook
    store: CallStore
    wallboard: WallboardService
    control: AgentControl
    metrics: CallCenterMetrics
    facts: FactFanout
    webhooks: WebhookService
    pipelines: dict[str, AmiPipeline] = field(default_factory=dict)
    listeners: dict[str, AmiListener] = field(default_factory=dict)
    agi: AgiServer | None = None
    bus: RedisBus | None = None  # only when scaled out (settings.bus_url)
    leaders: dict[str, AmiLeader] = field(default_factory=dict)  # only when scaled out
    webhook_leader: AmiLeader | None = None  # the lock that makes this process deliver webhooks
    scaleout: ScaleOut | None = None  # only when scaled out
    supervision: Supervision | None = None
    audit: AuditLog | None = None
    recordings: RecordingService | None = None
    quality: QualityService | None = None
    promises: CallbackPromises | None = None  # callbacks promised from the disposition form
    floor: FloorControl | None = None  # Ready during wrap-up; supervisors' force pause/logout
    campaigns: CampaignService | None = None
    campaign_desk: CampaignDesk | None = None  # pops, dispositions, caps, resume
    campaign_preview: CampaignPreview | None = None  # preview agents' next / dial / skip
    journal: CallJournaller | None = None  # live calls, restored when a listener starts
    work_items: WorkItemService | None = None  # intake and life cycle of non-voice work
    work_desk: DeskIntake | None = None  # letters and remittance slips logged at the desktop
    smtp: Any = None  # the SMTP receiver (adapters/smtp), when settings.smtp_port is set
    work_offers: WorkOffers | None = None  # offering work items (the process with the AMI)
    work_login: WorkLogin | None = None  # agents' work-group logins (every process)
    work_login_view: WorkLoginView | None = None  # ... as the wallboard shows them
    queue_callbacks: QueueCallbacks | None = None  # callbacks owed to withdrawn/abandoned callers
    work_transfers: WorkTransfers | None = None  # work items sent to another group
    work_feed: WorkFeed | None = None  # which work items changed (own writes, bus, poll)
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def uow(self) -> SqlUnitOfWork:
        """A new unit of work over this process's database."""
        return self.database.uow()

    def agent_channel(self, code: str) -> str:
        """The push channel of one agent's desktop."""
        from callcenter.adapters.push.protocol import agent_channel

        return agent_channel(code)

    def wallboard_snapshot(self) -> dict[str, Any]:
        """The wallboard's current figures."""
        return dict(self.wallboard.snapshot())

    async def close(self) -> None:
        """Stop background work in reverse order of start, then release the database."""
        for closer in reversed(self.closers):
            await _bounded(closer)
        self.closers.clear()
        await self.database.aclose()


CLOSE_GRACE_S = 30.0
"""How long one piece may take to stop before shutdown goes on without it (a hung peer, a
database that stopped answering mid-flush: the crash journal keeps what a store could not write)."""


async def _bounded(closer: Callable[[], Awaitable[None]]) -> None:
    """Run one closer; one that overruns CLOSE_GRACE_S is cancelled and logged, not waited for."""
    try:
        async with asyncio.timeout(CLOSE_GRACE_S):
            await closer()
    except TimeoutError:
        _log.error(
            "shutdown: %s did not stop within %.0f s; going on without it",
            _name(closer),
            CLOSE_GRACE_S,
        )
    except Exception:
        _log.exception("shutdown: %s failed; going on", _name(closer))


def _name(closer: object) -> str:
    return getattr(closer, "__qualname__", None) or repr(closer)
