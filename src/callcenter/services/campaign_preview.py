"""Preview dialling: an agent sees the next record first, then dials it (agent-first) or skips."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from callcenter.domain.access.auth import Principal
from callcenter.domain.agents.records import Agent
from callcenter.domain.campaigns.records import after_attempt
from callcenter.ports.campaigns import AttemptResult
from callcenter.ports.uow import UowFactory
from callcenter.services.campaign_desk import CampaignDesk
from callcenter.services.campaign_dialer import POSTPONE_S, CampaignDialer
from callcenter.services.dial_targets import dial_string
from callcenter.services.errors import Conflict, Forbidden, NotFound

log = logging.getLogger(__name__)


class CampaignPreview:
    """Next / Dial / Skip for agents of preview campaigns (records held in this process)."""

    def __init__(
        self,
        *,
        desk: CampaignDesk,
        uow: UowFactory,
        on_dial: Callable[[str, str], None] | None = None,
    ) -> None:
        self.desk = desk
        self._uow = uow
        self.on_dial = on_dial  # (agent code, E.164): the screen-pop pops it when it connects
        # Scaled out: (PBX, request) -> the reply of the process leading that PBX, which runs
        # the campaign's dialer and holds its records (its `serve` answers).
        self.forward: Callable[[str, dict[str, Any]], Awaitable[Any]] | None = None

    async def serve(self, request: dict[str, Any]) -> Any:
        """A Next / Dial / Skip forwarded by another process (never forwarded on again)."""
        by = Principal(role="agent", agent_id=int(request["agent_id"]), agent_code=request["agent"])
        campaign_id, record_id = int(request["campaign_id"]), int(request.get("record_id") or 0)
        if request["op"] == "next":
            return await self.next(campaign_id, by, here=True)
        if request["op"] == "dial":
            return await self.dial(campaign_id, record_id, by, here=True)
        return await self.skip(campaign_id, record_id, by, here=True)

    async def _elsewhere(
        self, op: str, campaign_id: int, record_id: int | None, by: Principal, here: bool
    ) -> tuple[bool, Any]:
        """Scaled out and another process dials the campaign: its answer to the request."""
        campaigns = self.desk.campaigns
        if here or self.forward is None or campaign_id in campaigns.dialers:
            return False, None
        pbx = next(iter(campaigns.pbxs), None)
        if pbx is None or campaigns.leads(pbx):
            return False, None
        request = {
            "op": op, "campaign_id": campaign_id, "record_id": record_id,
            "agent": by.agent_code, "agent_id": by.agent_id,
        }  # fmt: skip
        return True, await self.forward(pbx, request)

    async def next(
        self, campaign_id: int, by: Principal, *, here: bool = False
    ) -> dict[str, Any] | None:
        """The record the agent holds, or the next one the list gives them (None: none now)."""
        code = _agent(by)
        away, answer = await self._elsewhere("next", campaign_id, None, by, here)
        if away:
            return answer  # type: ignore[no-any-return]
        dialer = await self._preview_dialer(campaign_id)
        await self._agent_of(code, dialer.campaign.group)
        held = self.desk.previewing.get(code)
        if held is not None:
            if held[0] == campaign_id:
                return self._view(dialer, held[1].id, dialled=code in self.desk.preview_attempts)
            raise Conflict(f"agent {code} holds record {held[1].id} of campaign {held[0]}")
        record = dialer.take_next()
        if record is None:
            return None
        self.desk.previewing[code] = (campaign_id, record)
        return self._view(dialer, record.id, dialled=False)

    async def dial(
        self, campaign_id: int, record_id: int, by: Principal, *, here: bool = False
    ) -> dict[str, Any]:
        """Originate agent-first to the held record (do-not-call checked once more, now)."""
        code = _agent(by)
        away, answer = await self._elsewhere("dial", campaign_id, record_id, by, here)
        if away:
            return answer  # type: ignore[no-any-return]
        dialer = await self._preview_dialer(campaign_id)
        agent = await self._agent_of(code, dialer.campaign.group)
        record = self._held(code, campaign_id, record_id)
        if code in self.desk.preview_attempts:
            raise Conflict(f"record {record_id} is already dialled")
        now = dialer.clock()
        attempt_id = await dialer.ledger.claim(record=record, at=now)
        if attempt_id is None:  # listed do-not-call since: closed, never dialled
            self.desk.previewing.pop(code, None)
            dialer.held.pop(record.id, None)
            dialer.calls.counts.skipped_dnc += 1
            return {"record_id": record_id, "status": "do_not_call"}
        self.desk.preview_attempts[code] = attempt_id
        self.desk.previewing[code] = (campaign_id, replace(record, attempts=record.attempts + 1))
        dialer.calls.counts.dialled += 1
        c = dialer.campaign
        if self.on_dial is not None:
            self.on_dial(code, record.number)
        await dialer.pbx.originate_agent_first(
            agent_interface=agent.interface,
            dial=dial_string(record.number, dialer.region),
            caller_name=c.caller_id_name or c.name,
            caller_number=c.caller_id_number,
            variables={
                "CC_AGENT": code,
                "CC_DIALLED": record.number,
                "CC_CAMPAIGN_ID": str(c.id),
                "CC_RECORD_ID": str(record.id),
                "CC_CUSTOMER_ID": str(record.customer_id or ""),
            },
        )
        log.info("agent %s previews and dials record %s of campaign %s", code, record.id, c.id)
        return {"record_id": record_id, "status": "dialing", "attempt_id": attempt_id}

    async def skip(
        self, campaign_id: int, record_id: int, by: Principal, *, here: bool = False
    ) -> dict[str, Any]:
        """Leave the record for later (a dialled one counts as not answered); show the next."""
        code = _agent(by)
        away, answer = await self._elsewhere("skip", campaign_id, record_id, by, here)
        if away:
            return answer  # type: ignore[no-any-return]
        dialer = await self._preview_dialer(campaign_id)
        await self._agent_of(code, dialer.campaign.group)
        record = self._held(code, campaign_id, record_id)
        self.desk.previewing.pop(code, None)
        attempt_id = self.desk.preview_attempts.pop(code, None)
        now = dialer.clock()
        if attempt_id is None:
            later = replace(record, next_at=now + POSTPONE_S)
            await self.desk.store.postpone(record.id, next_at=later.next_at)
        else:
            later = after_attempt(record, "no_answer", dialer.campaign.retry, now)
            await dialer.ledger.finish(
                AttemptResult(
                    attempt_id=attempt_id, record=later, outcome="no_answer", ended_at=now
                )
            )
            dialer.result(later, now, agent=code, outcome="no_answer")
        if later.status == "done":
            dialer.held.pop(record.id, None)
        else:
            dialer.put_back(later)
        return {"skipped": record_id, "next": await self.next(campaign_id, by, here=here)}

    async def _agent_of(self, code: str, group: str) -> Agent:
        """The agent, if they have a skill in the campaign's group (as the campaign list)."""
        async with self._uow() as uow:
            agent = await uow.agents.get_by_code(code=code)
        if agent is None:
            raise NotFound(f"no agent {code!r}")
        if group not in {skill.group_slug for skill in agent.skills}:
            raise Forbidden(f"agent {code} has no skill in the campaign's group {group!r}")
        return agent

    def _held(self, code: str, campaign_id: int, record_id: int) -> Any:
        held = self.desk.previewing.get(code)
        if held is None or held[0] != campaign_id or held[1].id != record_id:
            raise Conflict(f"agent {code} does not hold record {record_id}; ask for the next one")
        return held[1]

    async def _preview_dialer(self, campaign_id: int) -> CampaignDialer:
        running = self.desk.campaigns.dialers.get(campaign_id)
        if running is None and await self.desk.campaigns.store.get(campaign_id) is None:
            raise NotFound(f"no campaign {campaign_id}")
        if running is None or running[1].state != "running":
            raise Conflict(f"campaign {campaign_id} is not running")
        if running[1].campaign.mode != "preview":
            raise Conflict(f"campaign {campaign_id} is not a preview campaign")
        return running[1]

    def _view(self, dialer: CampaignDialer, record_id: int, *, dialled: bool) -> dict[str, Any]:
        held = next(r for cid, r in self.desk.previewing.values() if r.id == record_id)
        c = dialer.campaign
        return {
            "campaign_id": c.id,
            "record_id": held.id,
            "number": held.number,
            "name": held.name,
            "customer_id": held.customer_id,
            "attempts": held.attempts,
            "script": c.script,
            "offer": c.offer,
            "dialled": dialled,
        }


def _agent(by: Principal) -> str:
    if by.role != "agent" or not by.agent_code:
        raise Forbidden("preview records are for agents (each for themselves)")
    return by.agent_code
