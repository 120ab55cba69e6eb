"""Work items sent to another group over real HTTP and the simulated Asterisk (SQLite and
PostgreSQL): who may, the new group's due time, the log, the old offer withdrawn, bad input."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx
from test_work_offers import auth, file_item, stored, work_stack

from callcenter.bootstrap import open_database
from callcenter.domain.agents.records import Skill
from callcenter.domain.routing.work_sla import Calendar, due_at
from callcenter.domain.work_items import Sender
from callcenter.services.routing import load_rules
from callcenter.services.work_requests import Intake
from callcenter.sim.model import interface_of
from support.livestack import LiveStack
from support.servekit import until

RULES = load_rules(None)


async def seed_finance(database_url: str) -> None:
    """Wu Xia, in the simulator's finance queue, takes finance's work."""
    async with open_database(database_url) as db, db.uow() as uow:
        await uow.agents.add(
            code="1009",
            name="Wu Xia",
            interface=interface_of("1009"),
            state_interface="Custom:agent1009",
            skills=[Skill("finance", 8)],
        )
        await uow.commit()


def expected_due(kind: str, group: str, received: datetime) -> datetime | None:
    calendar = Calendar.of(RULES.groups[group], RULES.timezone, RULES.holidays)
    return due_at(RULES.work.target(kind, group), calendar, received)


async def detail(http: httpx.AsyncClient, stack: LiveStack, item: int) -> dict[str, Any]:
    got = await http.get(f"/api/work-items/{item}", headers=await auth(stack, "supervisor"))
    assert got.status_code == 200, got.text
    body: dict[str, Any] = got.json()
    return body


async def test_an_agent_sends_an_offered_slip_to_finance_where_it_is_offered_anew(
    database_url: str,
) -> None:
    await seed_finance(database_url)
    async with work_stack(database_url, work_offer_timeout_s=30.0) as stack:
        holder, finance = await stack.agent_socket("1007"), await stack.agent_socket("1009")
        other = await stack.agent_socket("1008")
        await asyncio.sleep(0.3)
        item = await file_item(stack, "remittance_slip", "letters")
        await holder.next("work_offer", item_id=item)
        async with httpx.AsyncClient(base_url=stack.url(""), timeout=10) as http:
            before = await detail(http, stack, item)
            url = f"/api/work-items/{item}/transfer"
            mine = await auth(stack, "agent", "1007")

            unknown = await http.post(url, json={"group": "accounts"}, headers=mine)
            assert unknown.status_code == 422
            assert unknown.json()["detail"][0]["loc"] == ["body", "group"]
            assert "accounts" in unknown.text
            same = await http.post(url, json={"group": "letters"}, headers=mine)
            assert same.status_code == 422 and "already" in same.text
            theirs = await http.post(
                url, json={"group": "finance"}, headers=await auth(stack, "agent", "1008")
            )
            assert theirs.status_code == 403  # offered to 1007, not 1008
            assert (await stored(stack, item))[:2] == ("offered", "1007")

            sent = await http.post(
                url, json={"group": "finance", "note": "a payment, not a letter"}, headers=mine
            )
            assert sent.status_code == 200, sent.text
            moved = sent.json()
            assert (moved["group"], moved["status"]) == ("finance", "new")
            received = datetime.fromisoformat(before["created_at"])
            due = expected_due("remittance_slip", "finance", received)
            assert due is not None and datetime.fromisoformat(moved["due_at"]) == due
            assert due != datetime.fromisoformat(before["due_at"])  # 4 h there, 1 day here

            gone = await holder.next("work_update", item_id=item, state="transferred")
            assert gone["group"] == "finance"
            offer = await finance.next("work_offer", item_id=item, timeout=10)
            assert offer["group"] == "finance"
            assert not [
                m for m in await other.drain(0.3) if m.get("item_id") == item
            ]  # never offered to the letters agents again
            status, agent, declined, *_ = await stored(stack, item)
            assert (status, agent, declined) == ("offered", "1009", ("1007",))

            log = (await detail(http, stack, item))["events"]
            moves = [e for e in log if e["kind"] == "transfer"]
            assert [
                (e["actor"], e["from_group"], e["to_group"], e["from_status"], e["to_status"])
                for e in moves
            ] == [("agent 1007", "letters", "finance", "offered", "new")]
            assert moves[0]["note"] == "a payment, not a letter"
            when = datetime.fromisoformat(moves[0]["at"])
            assert received < when <= datetime.fromisoformat(moved["updated_at"])

            late = await http.post(url, json={"group": "documents"}, headers=mine)
            assert late.status_code == 403  # no longer theirs

            own = await auth(stack, "agent", "1009")
            took = await http.post(f"/api/agents/1009/work/{item}/accept", headers=own)
            assert took.status_code == 200, took.text
            done = await http.post(
                f"/api/agents/1009/work/{item}/complete",
                json={"disposition": "address_change"},
                headers=own,
            )
            assert done.status_code == 200, done.text
            closed = await http.post(url, json={"group": "letters"}, headers=own)
            assert closed.status_code == 409 and "done" in closed.text
            boss = await http.post(
                url, json={"group": "letters"}, headers=await auth(stack, "supervisor")
            )
            assert boss.status_code == 409
            bad = await http.post(url, json={"group": "Not A Slug!"}, headers=own)
            assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "group"]
            missing = await http.post(
                "/api/work-items/999999/transfer", json={"group": "letters"}, headers=own
            )
            assert missing.status_code == 404


async def test_a_supervisor_takes_a_held_letter_away_and_the_agent_is_unpaused(
    database_url: str,
) -> None:
    async with work_stack(database_url, work_offer_timeout_s=30.0) as stack:
        holder = await stack.agent_socket("1007")
        await asyncio.sleep(0.3)
        item = await file_item(stack, "letter", "letters")
        await holder.next("work_offer", item_id=item)
        presence = stack.runtime.presence
        async with httpx.AsyncClient(base_url=stack.url(""), timeout=10) as http:
            took = await http.post(
                f"/api/agents/1007/work/{item}/accept", headers=await auth(stack, "agent", "1007")
            )
            assert took.status_code == 200, took.text

            def paused() -> bool:
                seen = presence.get("1007")
                return seen is not None and seen.state == "paused"

            await until(paused, 10, "1007 paused for back-office work")
            sent = await http.post(
                f"/api/work-items/{item}/transfer",
                json={"group": "data-maintenance"},
                headers=await auth(stack, "supervisor"),
            )
            assert sent.status_code == 200, sent.text
            await holder.next("work_update", item_id=item, state="transferred")
            await until(lambda: not paused(), 10, "1007 back in the voice queues")
            listed = await http.get(
                "/api/agents/1007/work", headers=await auth(stack, "agent", "1007")
            )
            assert listed.json() == []
            log = (await detail(http, stack, item))["events"]
        move = [e for e in log if e["kind"] == "transfer"][-1]
        assert (move["actor"].startswith("supervisor token"), move["from_status"]) == (
            True,
            "accepted",
        )
        status, agent, declined, *_ = await stored(stack, item)
        assert (status, agent, declined) == ("new", None, ("1007",))  # nobody in data-maint.
        due = expected_due(
            "letter", "data-maintenance", datetime.fromisoformat(took.json()["created_at"])
        )
        async with stack.runtime.uow() as uow:
            after = await uow.work_items.get(item_id=item)
        assert after is not None and after.due_at == due and after.owner_agent_id is None

        # a letter kept in triage (nobody may take it) is put right by a supervisor's transfer
        assert stack.runtime.work_items is not None
        kept = await stack.runtime.work_items.submit(
            Intake(kind="letter", subject="?", body="", sender=Sender(), triage="no sender"),
            actor="post",
            now=datetime.now(UTC),
        )
        assert (kept.status, kept.group_slug) == ("triage", "letters")
        async with httpx.AsyncClient(base_url=stack.url(""), timeout=10) as http:
            url = f"/api/work-items/{kept.id}/transfer"
            agent = await http.post(
                url, json={"group": "documents"}, headers=await auth(stack, "agent", "1008")
            )
            assert agent.status_code == 403  # nobody holds it: a supervisor's call
            fixed = await http.post(
                url, json={"group": "documents"}, headers=await auth(stack, "supervisor")
            )
        assert fixed.status_code == 200, fixed.text
        assert (fixed.json()["group"], fixed.json()["status"]) == ("documents", "new")
