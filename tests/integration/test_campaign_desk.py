"""Campaign calls at the desk, through the simulated Asterisk over real AMI, on SQLite and
PostgreSQL: the pop carries the campaign's record, script and offer; the connected agent's
dispositions close, list or reschedule the record (a sale files a telemarketing order); caps
change while running; the CSV tallies (a restarted process: test_campaign_process_resume.py)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import update
from test_campaign_dialing import (
    NUMBERS,
    Floor,
    _agents,
    _attempts,
    _campaign,
    _until,
    floor,
)

from callcenter.adapters.db.repo_campaign_desk import SqlCampaignDesk
from callcenter.adapters.db.tables_campaigns import CampaignRecordRow
from callcenter.domain.access.auth import Principal
from callcenter.domain.calls import facts as f
from callcenter.domain.campaigns.pacing import PacingDecision
from callcenter.domain.customers.records import NewCustomer, PhoneInput
from callcenter.domain.orders import OrderItem
from callcenter.services import sales
from callcenter.services.campaign_desk import CampaignDesk
from callcenter.services.campaigns import CampaignService
from callcenter.services.errors import Forbidden, InvalidField

__all__ = ["floor"]


class PopSpy:
    """What the screen-pop would add for each ringing agent (code from the interface)."""

    def __init__(self, desk: CampaignDesk) -> None:
        self.desk = desk
        self.pops: list[tuple[str, dict[str, Any]]] = []

    def on_fact(self, fact: Any) -> None:
        if isinstance(fact, f.RingStarted):
            code = _code(fact.interface, None) or ""
            pop = self.desk.pop_for(fact.pbx, fact.linkedid, code)
            if pop is not None:
                self.pops.append((code, pop))

    async def aclose(self) -> None:
        return None


def _code(interface: str, _name: str | None) -> str | None:
    found = re.search(r"(\d{4})@", interface)
    return found.group(1) if found else None


def _desk(floor: Floor, service: CampaignService) -> CampaignDesk:
    service.agent_code = _code
    return CampaignDesk(
        campaigns=service,
        store=SqlCampaignDesk(floor.db.sessions),
        uow=floor.db.uow,
        clock=floor.sim.now,
    )


def _agent(code: str) -> Principal:
    return Principal(role="agent", agent_id=int(code), agent_code=code)


async def _customer(floor: Floor) -> int:
    async with floor.db.uow() as uow:
        made = await uow.customers.add(
            customer=NewCustomer(
                member_number="M0000901",
                name="Zhao Min",
                member_since=date(2019, 5, 1),
                phones=(PhoneInput(raw=NUMBERS[0][3:], e164=NUMBERS[0]),),
            )
        )
        await uow.commit()
    return made


async def test_pop_and_dispositions_of_connected_calls(floor: Floor) -> None:
    """Figure: 8 numbers, 2 agents, progressive, script and offer set, every record of one
    customer -> each pop of a campaign call carries the record, script, offer and the five
    dispositions; another agent may not dispose it; the connected agent's do_not_call lists
    the number, callback requeues the record at that time, sale files a telemarketing order."""
    service = floor.service()
    desk = _desk(floor, service)
    spy = PopSpy(desk)
    floor.services.append(spy)  # type: ignore[arg-type]
    await _agents(floor, 2)
    campaign = replace(_campaign(), script="Good morning, Bertelsmann Book Club…", offer="-20 %")
    built = await service.create(
        campaign=campaign, segment=None, csv_text="\n".join(NUMBERS[:8]), created_by="test"
    )
    cid = built.campaign.id
    customer = await _customer(floor)
    async with floor.db.sessions() as session:
        await session.execute(
            update(CampaignRecordRow)
            .where(CampaignRecordRow.campaign_id == cid)
            .values(customer_id=customer)
        )
        await session.commit()
    await service.start(cid)
    await _until(floor, lambda: len(spy.pops) >= 3, 300)
    for code, pop in spy.pops:
        assert (pop["id"], pop["script"], pop["offer"]) == (cid, campaign.script, "-20 %")
        assert pop["number"] in NUMBERS[:8] and code in ("2001", "2002")
        assert set(pop["dispositions"]) == {
            "sale",
            "refused",
            "wrong_number",
            "do_not_call",
            "callback",
        }
    (a1, p1), (a2, p2), (a3, p3) = spy.pops[:3]
    dialler = service.dialers[cid][1]
    for _, pop in spy.pops[:3]:  # the agent is known once they answered
        await _until(floor, lambda pop=pop: _answered(dialler, desk, pop["number"]), 60)
    other = "2002" if a1 == "2001" else "2001"
    with pytest.raises(Forbidden):
        await desk.dispose(
            campaign_id=cid, record_id=p1["record_id"], code="refused", by=_agent(other)
        )
    done = await desk.dispose(
        campaign_id=cid, record_id=p1["record_id"], code="do_not_call", by=_agent(a1)
    )
    assert (done["status"], done["closed_reason"]) == ("done", "do_not_call")
    assert await service.store.is_dnc(p1["number"])
    later = datetime.fromtimestamp(floor.sim.now(), UTC) + timedelta(hours=2)
    with pytest.raises(InvalidField):
        await desk.dispose(
            campaign_id=cid, record_id=p2["record_id"], code="callback", by=_agent(a2)
        )
    again = await desk.dispose(
        campaign_id=cid,
        record_id=p2["record_id"],
        code="callback",
        by=_agent(a2),
        callback_at=later,
    )
    assert again["status"] == "queued"
    assert datetime.fromisoformat(again["next_at"]) == later
    with pytest.raises(InvalidField):  # a sale without items files nothing
        await desk.dispose(campaign_id=cid, record_id=p3["record_id"], code="sale", by=_agent(a3))
    item = OrderItem(title="Winter catalogue box", isbn=None, quantity=1, unit_price=Decimal("88"))
    sold = await desk.dispose(
        campaign_id=cid, record_id=p3["record_id"], code="sale", by=_agent(a3), items=[item]
    )
    orders = await sales.list_orders(uow=floor.db.uow, customer_id=customer)
    assert [(o.order_number, o.channel) for o in orders] == [
        (sold["order_number"], "telemarketing")
    ]
    assert (await desk.figures(cid))["sales"] == 1
    await _until(
        floor, lambda: dialler.state == "finished" or len(floor.watch.originated) >= 8, 600
    )
    originated_after = [n for n, _ in floor.watch.originated]
    assert originated_after.count(p1["number"]) == 1  # listed: never dialled again
    rows = await desk.report_rows(cid)
    by_agent = {r[0]: r for r in rows[1:-1]}
    sale_col = rows[0].index("sale")
    assert by_agent[a3][sale_col] == "1" and rows[-1][sale_col] == "1"


def _answered(dialler: Any, desk: CampaignDesk, number: str) -> bool:
    live = dialler.calls.by_number.get(number)
    return live is None or live.agent is not None


async def test_caps_change_while_running(floor: Floor) -> None:
    """Figure: a running predictive campaign; PATCH-like set_caps to 2 % and 1.5 lines per agent
    -> the dialer obeys at once and a fresh read of the campaign shows both; a level cap below 1
    is refused naming the field."""
    service = floor.service()
    desk = _desk(floor, service)
    await _agents(floor, 2)
    built = await service.create(
        campaign=_campaign("predictive"), segment=None, csv_text="\n".join(NUMBERS), created_by="t"
    )
    cid = built.campaign.id
    await service.start(cid)
    figures = await desk.set_caps(cid, abandon_cap_pct=2.0, dial_level_cap=1.5)
    assert (figures["abandon_cap_pct"], figures["dial_level_cap"]) == (2.0, 1.5)
    dialler = service.dialers[cid][1]
    assert (dialler.campaign.abandon_cap_pct, dialler.campaign.dial_level_cap) == (2.0, 1.5)
    decided: list[PacingDecision] = []
    decide = dialler.decide

    def watched() -> PacingDecision:
        decided.append(decide())
        return decided[-1]

    dialler.decide = watched  # type: ignore[method-assign]
    await _until(floor, lambda: len(floor.watch.originated) >= 6, 120)
    # every dial after the change keeps within 1.5 lines per agent (the level may read higher
    # later only when an agent leaves the floor while lines dialled before are still up)
    dials = [d for d in decided if d.dial > 0]
    assert dials and all(d.dial_level <= 1.5 for d in dials)
    with pytest.raises(InvalidField) as err:
        await desk.set_caps(cid, abandon_cap_pct=None, dial_level_cap=0.5)
    assert err.value.loc == ("dial_level_cap",)
    stored = await service.store.get(cid)
    assert stored is not None and stored.campaign.dial_level_cap == 1.5


async def test_preview_agent_gets_the_next_record_and_dials_it_agent_first(floor: Floor) -> None:
    """Figure: a preview campaign of 3 numbers, agent 2001 -> nothing is dialled by itself;
    the agent is shown a record with the script, skips it (never dialled) and gets another,
    dials that one agent-first (one attempt stored for it, its number not in a customer-first
    Originate), and a supervisor is refused the agent's preview, as is agent 2002, who has no
    skill in the campaign's group."""
    from callcenter.domain.agents.records import Skill
    from callcenter.services.campaign_preview import CampaignPreview

    async with floor.db.uow() as uow:
        await uow.agents.add(
            code="2001",
            name="Agent 2001",
            interface="Local/2001@agents/n",
            skills=[Skill(group_slug="telemarketing", level=10)],
        )
        await uow.agents.add(code="2002", name="Agent 2002", interface="Local/2002@agents/n")
        await uow.commit()
    service = floor.service()
    desk = _desk(floor, service)
    preview = CampaignPreview(desk=desk, uow=floor.db.uow)
    await _agents(floor, 1)
    campaign = replace(_campaign("preview"), script="Ask about the winter catalogue")
    built = await service.create(
        campaign=campaign, segment=None, csv_text="\n".join(NUMBERS[:3]), created_by="t"
    )
    cid = built.campaign.id
    await service.start(cid)
    await floor.sim.sleep(5)
    assert floor.watch.originated == []  # preview: the dialer never dials by itself
    first = await preview.next(cid, _agent("2001"))
    assert first is not None and first["script"] == "Ask about the winter catalogue"
    assert await preview.next(cid, _agent("2001")) == first  # held until dialled or skipped
    skipped = await preview.skip(cid, first["record_id"], _agent("2001"))
    second = skipped["next"]
    assert second is not None and second["record_id"] != first["record_id"]
    dialled = await preview.dial(cid, second["record_id"], _agent("2001"))
    assert dialled["status"] == "dialing"
    attempts = await _attempts(floor.db)
    assert [(a.record_id, a.number) for a in attempts] == [(second["record_id"], second["number"])]
    assert floor.watch.originated == []  # agent-first, not the customer-first path
    pop = desk.pop_for("pbx1", "no-such-linkedid", "2001")
    assert pop is not None and pop["record_id"] == second["record_id"]
    with pytest.raises(Forbidden):
        await preview.next(cid, Principal(role="supervisor"))
    for refused in (
        preview.next(cid, _agent("2002")),
        preview.dial(cid, second["record_id"], _agent("2002")),
        preview.skip(cid, second["record_id"], _agent("2002")),
    ):
        with pytest.raises(Forbidden, match="skill"):
            await refused
