"""Which process dials, scaled out: the AMI leader of the PBX the campaigns dial through.

When a process becomes the leader it resumes the campaigns stored as running; while it leads
it picks up campaigns started on other processes and follows the pauses, resumptions and stops
made there (stored state changes); when it loses the lead its dialers stop at once (what ended
is stored, the campaigns stay running for the next leader). A non-leader never dials.
"""

from __future__ import annotations

import asyncio
import logging

from callcenter.background import cancel_and_wait
from callcenter.services.campaign_desk import CampaignDesk
from callcenter.services.campaigns import CampaignService

log = logging.getLogger(__name__)


class CampaignRunner:
    """Runs the campaigns' dialers on this process only while it leads their PBX."""

    def __init__(self, *, desk: CampaignDesk, poll_s: float = 2.0, resume: bool = True) -> None:
        self.desk = desk
        self.resume = resume  # False: only campaigns started while this process leads dial
        self.campaigns: CampaignService = desk.campaigns
        self.poll_s = poll_s
        self._leading: set[str] = set()
        self._seen: dict[int, str] = {}  # stored state per campaign at the last look
        self._task: asyncio.Task[None] | None = None
        self._releases: set[asyncio.Task[list[int]]] = set()

    def leads(self, pbx: str) -> bool:
        """Whether this process may dial through `pbx` now."""
        return pbx in self._leading

    def changed(self, pbx: str, leading: bool) -> None:
        """An AMI leader lock was won or lost (its listener already started / stopped)."""
        if leading:
            self._leading.add(pbx)
            if self._task is None:
                self._seen.clear()
                self._task = asyncio.get_running_loop().create_task(
                    self._follow(), name="campaign-runner"
                )
            return
        self._leading.discard(pbx)
        release = asyncio.get_running_loop().create_task(self.campaigns.release(pbx))
        self._releases.add(release)
        release.add_done_callback(self._released)
        if not self._leading and self._task is not None:
            self._task.cancel()
            self._task = None

    async def sync(self) -> None:
        """Start the running campaigns not dialling here; follow stored state changes."""
        resumed = await self.desk.resume() if self.resume else []
        if resumed:
            log.info("campaigns %s dial from this process (the AMI leader)", resumed)
        for campaign_id, (_, dialer, _) in list(self.campaigns.dialers.items()):
            summary = await self.campaigns.store.get(campaign_id)
            if summary is None:
                continue
            state, before = summary.campaign.state, self._seen.get(campaign_id)
            self._seen[campaign_id] = state
            if before is None or before == state:
                continue
            if state == "paused" and dialer.state == "running":
                dialer.state = "paused"
            elif state == "running" and dialer.state == "paused":
                dialer.state = "running"
            elif state == "stopped":
                await self.campaigns.stop(campaign_id)

    async def aclose(self) -> None:
        """Stop following (the service's own close stops the dialers)."""
        if self._task is not None:
            await cancel_and_wait(self._task)
            self._task = None
        await asyncio.gather(*self._releases, return_exceptions=True)

    async def _follow(self) -> None:
        while True:
            try:
                await self.sync()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database away: try again next round
                log.warning("campaigns not synced with the database: %r", exc)
            await asyncio.sleep(self.poll_s)

    def _released(self, task: asyncio.Task[list[int]]) -> None:
        self._releases.discard(task)
        if not task.cancelled() and task.exception() is None and task.result():
            log.warning("no longer the AMI leader: campaigns %s stop dialling here", task.result())
