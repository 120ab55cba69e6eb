"""A callback's outcome lands in the customer's contact history; do-not-call refuses the dial;
an agent whose phone never answers, or a PBX refusing the dial after the accept answered, gives
the item back (simulated Asterisk; SQLite, PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import httpx
from test_work_offers import auth, file_item, offered_to, stored, work_stack

from callcenter.domain.customers.records import NewCustomer, PhoneInput
from callcenter.sim.pstn import Dialled
from support.livestack import LiveStack

HOTLINE = ("1001", "1002", "1003")


def spy_originates(stack: LiveStack, *, swallow: bool = False) -> list[dict[str, Any]]:
    """Every Originate the simulated Asterisk gets; `swallow`: the agent's phone rings unanswered
    (nothing reaches the customer and no call ends)."""
    seen: list[dict[str, Any]] = []
    real = stack.sim.start_originate

    def spy(action: dict[str, Any]) -> str | None:
        seen.append({k.lower(): v for k, v in action.items()})
        return None if swallow else real(action)

    stack.sim.start_originate = spy  # type: ignore[method-assign]
    return seen


async def accepted_callback(stack: LiveStack, caller: str) -> tuple[dict[str, Any], int, str]:
    """The hotline's desktops open; a callback item for `caller` filed, offered and accepted:
    the desktops, the item, the agent who took it."""
    desks = {c: await stack.agent_socket(c) for c in HOTLINE}
    await asyncio.sleep(0.3)
    item = await file_item(stack, "callback", "member-hotline", caller=caller)
    code = await offered_to(desks, item)
    async with httpx.AsyncClient(base_url=stack.url(""), timeout=10) as http:
        took = await http.post(
            f"/api/agents/{code}/work/{item}/accept", headers=await auth(stack, "agent", code)
        )
        assert took.status_code == 200, took.text
    return desks, item, code


async def history(stack: LiveStack, customer_id: int) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=stack.url(""), timeout=10) as http:
        got = await http.get(
            f"/api/customers/{customer_id}/contacts", headers=await auth(stack, "supervisor")
        )
    assert got.status_code == 200, got.text
    return list(got.json())


async def test_a_reached_callback_is_done_and_in_the_contact_history(database_url: str) -> None:
    async with work_stack(database_url, callback_window="00:00-23:59") as stack:
        stack.sim.pstn.numbers["13800138000"] = Dialled("answer", ring_s=0.5, talk_s=1.0)
        desks = {c: await stack.agent_socket(c) for c in HOTLINE}
        await asyncio.sleep(0.3)
        li_wei = stack.ids["li_wei"]
        assert [c for c in await history(stack, li_wei) if c["channel"] == "callback"] == []
        item = await file_item(stack, "callback", "member-hotline", caller="+8613800138000")
        code = await offered_to(desks, item)
        disposition = stack.runtime.settings.disposition_codes[0]
        async with httpx.AsyncClient(base_url=stack.url(""), timeout=10) as http:
            own = await auth(stack, "agent", code)
            took = await http.post(f"/api/agents/{code}/work/{item}/accept", headers=own)
            assert took.status_code == 200, took.text
            await desks[code].next("work_update", item_id=item, state="dialling")
            reached = await desks[code].next("work_update", item_id=item, state="answered")
            assert reached["outcome"] == "answered"
            done = await http.post(
                f"/api/agents/{code}/work/{item}/complete",
                json={"disposition": disposition},
                headers=own,
            )
            assert done.status_code == 200, done.text
        status, _, _, attempts, outcome, stored_disposition = await stored(stack, item)
        assert (status, attempts, outcome, stored_disposition) == (
            "done",
            1,
            "answered",
            disposition,
        )
        contacts = [c for c in await history(stack, li_wei) if c["channel"] == "callback"]
        assert len(contacts) == 1
        contact = contacts[0]
        assert contact["direction"] == "outbound"
        assert contact["outcome"] == "answered"
        assert contact["disposition_code"] == disposition
        assert contact["agent_code"] == code
        assert contact["group"] == "member-hotline"
        assert contact["settled_first_contact"] is True


async def test_do_not_call_refuses_the_callback_and_says_so_in_the_history(
    database_url: str,
) -> None:
    async with work_stack(database_url, callback_window="00:00-23:59") as stack:
        async with stack.runtime.uow() as uow:
            refuser = await uow.customers.add(
                customer=NewCustomer(
                    member_number="M0000777",
                    name="Sun Li",
                    member_since=date(2020, 1, 1),
                    do_not_call=True,
                    phones=(PhoneInput(raw="13900007777", e164="+8613900007777"),),
                )
            )
            await uow.commit()
        seen = spy_originates(stack)
        desks, item, code = await accepted_callback(stack, "+8613900007777")
        update = await desks[code].next("work_update", item_id=item, state="cancelled")
        assert update["outcome"] == "do_not_call"
        assert seen == []  # nothing was dialled
        status, *_, outcome, _ = await stored(stack, item)
        assert (status, outcome) == ("cancelled", "do_not_call")
        contacts = await history(stack, refuser)
        assert [(c["channel"], c["outcome"], c["settled_first_contact"]) for c in contacts] == [
            ("callback", "do_not_call", False)
        ]


async def test_an_agent_phone_that_never_answers_gives_the_callback_back(
    database_url: str,
) -> None:
    async with work_stack(
        database_url, callback_window="00:00-23:59", callback_dial_timeout_s=1.5
    ) as stack:
        seen = spy_originates(stack, swallow=True)
        desks = {c: await stack.agent_socket(c) for c in HOTLINE}
        await asyncio.sleep(0.3)
        item = await file_item(stack, "callback", "member-hotline", caller="+8613800138000")
        first = await offered_to(desks, item)
        async with httpx.AsyncClient(base_url=stack.url(""), timeout=10) as http:
            took = await http.post(
                f"/api/agents/{first}/work/{item}/accept",
                headers=await auth(stack, "agent", first),
            )
            assert took.status_code == 200, took.text
        await desks[first].next("work_update", item_id=item, state="dialling")
        back = await desks[first].next("work_update", item_id=item, state="retry", timeout=10)
        assert back["outcome"] == "agent_no_answer"
        assert len(seen) == 1 and seen[0]["channel"] == f"Local/{first}@agent-phone/n"
        # given back: not counted as an attempt on the customer, and never to the same agent
        second = await offered_to({c: d for c, d in desks.items() if c != first}, item)
        assert second != first
        status, holder, declined, attempts, outcome, _ = await stored(stack, item)
        assert (status, holder, attempts, outcome) == ("offered", second, 0, "agent_no_answer")
        assert first in declined


async def test_a_refused_originate_reaches_the_desktop_after_the_accept_and_nothing_is_lost(
    database_url: str,
) -> None:
    async with work_stack(database_url, callback_window="00:00-23:59") as stack:
        refused: list[str] = []

        def refuse(action: dict[str, Any]) -> str:
            refused.append(str(action.get("Channel")))
            return "Extension does not exist"

        stack.sim.start_originate = refuse  # type: ignore[method-assign,assignment]
        desks = {c: await stack.agent_socket(c) for c in HOTLINE}
        await asyncio.sleep(0.3)
        item = await file_item(stack, "callback", "member-hotline", caller="+8613800138000")
        code = await offered_to(desks, item)
        async with httpx.AsyncClient(base_url=stack.url(""), timeout=10) as http:
            took = await http.post(
                f"/api/agents/{code}/work/{item}/accept", headers=await auth(stack, "agent", code)
            )
        # the accept answers once the item is the agent's; the dial's fate follows as frames
        assert took.status_code == 200 and took.json()["status"] == "accepted"
        await desks[code].next("work_update", item_id=item, state="dialling")
        back = await desks[code].next("work_update", item_id=item, state="retry")
        assert back["outcome"] == "pbx_unavailable"
        assert refused == [f"Local/{code}@agent-phone/n"]
        # waiting again, not counted as an attempt on the customer, this agent not passed over
        status, holder, declined, attempts, outcome, _ = await stored(stack, item)
        assert (status, holder, attempts, outcome) == ("new", None, 0, "pbx_unavailable")
        assert code not in declined
        async with stack.runtime.uow() as uow:
            events = await uow.work_items.events(item_id=item)
        assert [(e.from_status, e.to_status) for e in events[-3:]] == [
            ("offered", "accepted"),
            ("accepted", "in_progress"),
            ("in_progress", "new"),
        ]


async def test_a_conversation_longer_than_the_dial_timeout_is_not_given_back(
    database_url: str,
) -> None:
    """Figure: the dial timeout is 1.5 s and the customer talks 5 s (100 s at the simulator's 20x
    pace) -> the agent answered, so the item stays theirs for the whole conversation (no `retry`,
    nobody else offered it, not back to `new` with no attempt counted as before), the customer is
    dialled once, and the attempt is settled by the call's end."""
    async with work_stack(
        database_url, callback_window="00:00-23:59", callback_dial_timeout_s=1.5
    ) as stack:
        stack.sim.pstn.numbers["13800138000"] = Dialled("answer", ring_s=0.3, talk_s=100.0)
        seen = spy_originates(stack)
        desks, item, code = await accepted_callback(stack, "+8613800138000")
        await desks[code].next("work_update", item_id=item, state="dialling")
        await asyncio.sleep(3.0)  # twice the dial timeout, the customer still talking
        status, holder, _, attempts, _, _ = await stored(stack, item)
        assert (status, holder, attempts) == ("in_progress", code, 1)
        reached = await desks[code].next("work_update", item_id=item, state="answered", timeout=10)
        assert reached["outcome"] == "answered"
        assert len(seen) == 1
        others = {c: d for c, d in desks.items() if c != code}
        for desk in others.values():  # never offered to anyone else meanwhile
            await desk.drain(0.2)
            assert not [
                m for m in desk.received if m["type"] == "work_offer" and m["item_id"] == item
            ]
        status, holder, _, attempts, outcome, _ = await stored(stack, item)
        assert (status, holder, attempts, outcome) == ("in_progress", code, 1, "answered")
