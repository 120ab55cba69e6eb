"""Work items offered to one agent at a time over the simulated Asterisk (SQLite, PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import text

from callcenter.bootstrap import open_database
from callcenter.domain.agents.records import Skill
from callcenter.domain.work_items import Sender
from callcenter.services.work_requests import Intake
from callcenter.sim.model import interface_of
from callcenter.sim.pstn import Dialled
from support.livestack import LiveStack, live_stack

LETTERS = {"1007": ("Huang Min", 9), "1008": ("Zhou Jie", 6)}  # the simulator's letters queue


async def seed_letters(database_url: str) -> None:
    async with open_database(database_url) as db, db.uow() as uow:
        for code, (name, level) in LETTERS.items():
            await uow.agents.add(
                code=code,
                name=name,
                interface=interface_of(code),
                state_interface=f"Custom:agent{code}",
                skills=[Skill("letters", level)],
            )
        await uow.commit()


@asynccontextmanager
async def work_stack(database_url: str, **settings: Any) -> AsyncIterator[LiveStack]:
    await seed_letters(database_url)
    async with live_stack(database_url, wait_ami=True, **settings) as stack:
        yield stack


async def file_item(stack: LiveStack, kind: str, group: str, caller: str | None = None) -> int:
    """File an item through intake (which nudges the offering loop)."""
    assert stack.runtime.work_items is not None
    sender = Sender(phone=caller) if caller else Sender(email="reader@example.com")
    intake = Intake(kind=kind, subject=f"a {kind}", body="", sender=sender, group=group)
    item = await stack.runtime.work_items.submit(intake, actor="test", now=datetime.now(UTC))
    return item.id


async def stored(stack: LiveStack, item: int) -> tuple[Any, ...]:
    async with stack.runtime.uow() as uow:
        row = await uow.session.execute(
            text(
                "SELECT w.status, o.agent, o.declined, o.attempts, w.outcome, w.disposition_code "
                "FROM work_items w LEFT JOIN work_offers o ON o.item_id = w.id WHERE w.id = :id"
            ),
            {"id": item},
        )
        status, agent, declined, attempts, outcome, disposition = row.one()
    if isinstance(declined, str):
        import json

        declined = json.loads(declined)
    return status, agent, tuple(declined or ()), attempts, outcome, disposition


async def auth(stack: LiveStack, role: str, agent: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {await stack.token(role, agent)}"}


async def test_an_offer_nobody_answers_goes_to_the_next_agent_after_the_timeout(
    database_url: str,
) -> None:
    async with work_stack(database_url, work_offer_timeout_s=1.0) as stack:
        best, next_ = await stack.agent_socket("1007"), await stack.agent_socket("1008")
        await asyncio.sleep(0.3)
        item = await file_item(stack, "letter", "letters")
        offer = await best.next("work_offer", item_id=item)
        assert offer["kind"] == "letter" and 0 < offer["timeout_s"] <= 1.0
        assert not [m for m in await next_.drain(0.3) if m["type"] == "work_offer"]

        await best.next("work_update", item_id=item, state="withdrawn", timeout=5)
        second = await next_.next("work_offer", item_id=item, timeout=5)
        assert second["group"] == "letters"
        assert (await stored(stack, item))[:3] == ("offered", "1008", ("1007",))

        async with httpx.AsyncClient(base_url=stack.url(""), timeout=10) as http:
            late = await http.post(
                f"/api/agents/1007/work/{item}/accept", headers=await auth(stack, "agent", "1007")
            )
            assert late.status_code == 409  # no longer theirs
            other = await http.post(
                f"/api/agents/1008/work/{item}/accept", headers=await auth(stack, "agent", "1007")
            )
            assert other.status_code == 403  # an agent acts only for themself
            own = await auth(stack, "agent", "1008")
            listed = await http.get("/api/agents/1008/work", headers=own)
            assert [(w["id"], w["status"]) for w in listed.json()] == [(item, "offered")]
            took = await http.post(f"/api/agents/1008/work/{item}/accept", headers=own)
            assert took.status_code == 200, took.text
            assert took.json()["status"] == "accepted"
            bad = await http.post(
                f"/api/agents/1008/work/{item}/complete", json={"disposition": "nope"}, headers=own
            )
            assert bad.status_code == 422 and "disposition" in bad.text
            done = await http.post(
                f"/api/agents/1008/work/{item}/complete",
                json={"disposition": "address_change"},
                headers=own,
            )
            assert done.status_code == 200, done.text
        assert await stored(stack, item) == ("done", "1008", ("1007",), 0, None, "address_change")


async def test_a_restart_loses_no_offered_item_and_never_offers_one_twice(
    database_url: str,
) -> None:
    async with work_stack(database_url, work_offer_timeout_s=4.0) as stack:
        first = await stack.agent_socket("1007")
        await asyncio.sleep(0.3)
        items = [await file_item(stack, "letter", "letters") for _ in range(2)]
        for item in items:
            await first.next("work_offer", item_id=item)
        await first.ws.close()

        await stack.restart()
        await stack.ami_connected()
        other = await stack.agent_socket("1008")
        async with httpx.AsyncClient(base_url=stack.url(""), timeout=10) as http:
            # the reloaded desktop finds its running offers, deadline and all
            listed = await http.get(
                "/api/agents/1007/work", headers=await auth(stack, "agent", "1007")
            )
        assert [(w["id"], w["status"]) for w in listed.json()] == [(i, "offered") for i in items]
        assert all(w["expires_at"] for w in listed.json())
        for item in items:
            assert (await stored(stack, item))[:2] == ("offered", "1007")
        early = [m for m in await other.drain(1.0) if m["type"] == "work_offer"]
        assert early == []  # still held by 1007 until the deadline
        for item in items:  # then each goes on to the next agent, once
            await other.next("work_offer", item_id=item, timeout=8)
            assert (await stored(stack, item))[:3] == ("offered", "1008", ("1007",))
        async with stack.runtime.uow() as uow:
            count = await uow.session.scalar(
                text("SELECT count(*) FROM work_items WHERE status = 'offered'")
            )
        assert count == len(items)


async def test_a_busy_callback_customer_is_retried_per_rule_then_failed(
    database_url: str,
) -> None:
    async with work_stack(
        database_url,
        callback_window="00:00-23:59",
        callback_retry_s=1.0,
        callback_max_attempts=2,
        work_offer_timeout_s=10.0,
    ) as stack:
        stack.sim.pstn.numbers["13900001111"] = Dialled("busy", ring_s=1.0)
        desks = {c: await stack.agent_socket(c) for c in ("1001", "1002", "1003")}
        await asyncio.sleep(0.3)
        seen: list[dict[str, Any]] = []
        real = stack.sim.start_originate

        def spy(action: dict[str, Any]) -> str | None:
            seen.append({k.lower(): v for k, v in action.items()})
            return real(action)

        stack.sim.start_originate = spy  # type: ignore[method-assign]
        item = await file_item(stack, "callback", "member-hotline", caller="+8613900001111")
        async with httpx.AsyncClient(base_url=stack.url(""), timeout=10) as http:
            for attempt in (1, 2):
                code = await offered_to(desks, item)
                took = await http.post(
                    f"/api/agents/{code}/work/{item}/accept",
                    headers=await auth(stack, "agent", code),
                )
                assert took.status_code == 200, took.text
                await desks[code].next("work_update", item_id=item, state="dialling")
                final = "retry" if attempt == 1 else "failed"
                update = await desks[code].next("work_update", item_id=item, state=final)
                assert update["outcome"] == "busy"
                if attempt == 1:
                    status, _, _, attempts, outcome, _ = await stored(stack, item)
                    assert (status, attempts, outcome) == ("new", 1, "busy")
        assert len(seen) == 2  # two attempts, agent-first
        assert all(s["channel"].endswith("@agent-phone/n") for s in seen)
        assert all(s["exten"] == "13900001111" for s in seen)
        status, _, _, attempts, outcome, _ = await stored(stack, item)
        assert (status, attempts, outcome) == ("failed", 2, "busy")


async def offered_to(desks: dict[str, Any], item: int, timeout: float = 10.0) -> str:
    """The agent whose desktop gets the next offer of `item`."""
    started = datetime.now(UTC)
    async with asyncio.timeout(timeout):
        while True:
            for code, desk in desks.items():
                for msg in await desk.drain(0.05):
                    if msg["type"] == "work_offer" and msg["item_id"] == item:
                        return code
            assert (datetime.now(UTC) - started).total_seconds() < timeout
