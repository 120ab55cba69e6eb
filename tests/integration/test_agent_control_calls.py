"""Agent control for calls over the simulated Asterisk: dial out, transfer, dispositions."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import text
from test_agent_control import client, control_stack, headers

from callcenter.adapters.db.repo_dispositions import DispositionRepository
from support.livestack import LiveStack


def originates(stack: LiveStack) -> list[dict[str, Any]]:
    """Every Originate the simulated PBX starts from now on (the real handler still runs)."""
    seen: list[dict[str, Any]] = []
    real = stack.sim.start_originate

    def spy(action: dict[str, Any]) -> str | None:
        seen.append({k.lower(): v for k, v in action.items()})
        return real(action)

    stack.sim.start_originate = spy  # type: ignore[method-assign]
    return seen


async def test_dial_out_to_do_not_call_is_409_and_never_originated(database_url: str) -> None:
    async with control_stack(database_url) as (stack, extra), client(stack) as http:
        seen = originates(stack)
        own = await headers(stack, "agent", "1001")
        by_id = await http.post(
            "/api/agents/1001/dial", json={"customer_id": extra["dnc"]}, headers=own
        )
        assert by_id.status_code == 409
        assert "do-not-call" in by_id.json()["detail"]
        by_number = await http.post(
            "/api/agents/1001/dial", json={"number": "139 1111 2222"}, headers=own
        )
        assert by_number.status_code == 409
        for body in ({}, {"number": "not a number"}, {"number": "1", "customer_id": 1}):
            assert (
                await http.post("/api/agents/1001/dial", json=body, headers=own)
            ).status_code == 422
        missing = await http.post(
            "/api/agents/1001/dial", json={"customer_id": 999999}, headers=own
        )
        assert missing.status_code == 404
        await asyncio.sleep(0.2)
        assert seen == []


async def test_dial_out_originates_from_the_agent_phone_and_is_recorded(
    database_url: str,
) -> None:
    async with control_stack(database_url) as (stack, _), client(stack) as http:
        seen = originates(stack)
        reply = await http.post(
            "/api/agents/1001/dial",
            json={"number": "138 1234 5678"},
            headers=await headers(stack, "agent", "1001"),
        )
        assert reply.status_code == 202, reply.text
        action_id = reply.json()["action_id"]
        assert len(seen) == 1
        assert seen[0]["channel"] == "Local/1001@agent-phone/n"
        assert seen[0]["exten"] == "13812345678"
        assert seen[0]["context"] == "outbound"
        assert seen[0]["actionid"] == action_id
        variables = seen[0]["variable"]
        assert "CC_AGENT=1001" in ([variables] if isinstance(variables, str) else variables)

        await stack.settled()
        async with stack.runtime.uow() as uow:
            calls = await uow.session.execute(text("SELECT direction, caller FROM call_records"))
            rows = calls.all()
        assert [(r[0], r[1]) for r in rows] == [("outbound", "+8613812345678")]


async def test_transfer_moves_the_live_call_into_the_target_queue(database_url: str) -> None:
    async with control_stack(database_url) as (stack, _), client(stack) as http:
        own = await headers(stack, "agent", "1001")
        desk = await stack.agent_socket("1001")
        await asyncio.sleep(0.2)
        nothing = await http.post(
            "/api/agents/1001/transfer", json={"group": "finance"}, headers=own
        )
        assert nothing.status_code == 409  # no call to transfer

        linkedid = stack.sim.place_call(
            "+8613800138000", "Li Wei", "8001", answer_by={"1001", "1009"},
            agent_answers_after=1, talk_s=60,
        )  # fmt: skip
        await desk.next("call_update", state="answered", linkedid=linkedid)
        bad = await http.post("/api/agents/1001/transfer", json={"group": "nowhere"}, headers=own)
        assert bad.status_code == 422
        reply = await http.post("/api/agents/1001/transfer", json={"group": "finance"}, headers=own)
        assert reply.status_code == 202, reply.text
        assert reply.json()["linkedid"] == linkedid

        await stack.settled(timeout=30)
        async with stack.runtime.uow() as uow:
            record = await uow.calls.get("pbx1", linkedid)
        assert record is not None
        assert list(record.queues) == ["member-hotline", "finance"]
        assert record.agent == "Wu Xia"  # finance's 1009 took it over
        await desk.ws.close()


async def stored_disposition(stack: LiveStack, linkedid: str) -> tuple[Any, ...]:
    async with stack.runtime.uow() as uow:
        record = await uow.calls.get("pbx1", linkedid)
        contact = await DispositionRepository(uow.session).contact_disposition(
            pbx="pbx1", linkedid=linkedid
        )
    assert record is not None
    return record.disposition_code, record.settled_first_contact, contact


async def test_disposition_is_stored_on_the_call_record_and_contact(database_url: str) -> None:
    async with control_stack(database_url) as (stack, _), client(stack) as http:
        own = await headers(stack, "agent", "1001")
        codes = await http.get("/api/dispositions", headers=own)
        assert "order_status" in codes.json()

        linkedid = stack.sim.place_call(
            "+8613800138000", "Li Wei", "8001", answer_by="1001", agent_answers_after=1, talk_s=4
        )
        await stack.settled()
        reply = await http.post(
            "/api/agents/1001/disposition",
            json={"linkedid": linkedid, "code": "order_status", "settled": True, "note": "书已发"},
            headers=own,
        )
        assert reply.status_code == 201, reply.text
        assert reply.json()["status"] == "stored"
        assert await stored_disposition(stack, linkedid) == (
            "order_status",
            True,
            ("order_status", True, "书已发"),
        )


async def test_disposition_given_during_the_call_lands_with_the_record(database_url: str) -> None:
    async with control_stack(database_url) as (stack, _), client(stack) as http:
        own = await headers(stack, "agent", "1001")
        desk = await stack.agent_socket("1001")
        await asyncio.sleep(0.2)
        linkedid = stack.sim.place_call(
            "+8613800138000", "Li Wei", "8001", answer_by="1001", agent_answers_after=1, talk_s=20
        )
        await desk.next("call_update", state="answered", linkedid=linkedid)
        reply = await http.post(
            "/api/agents/1001/disposition",
            json={"linkedid": linkedid, "code": "membership", "settled": False},
            headers=own,
        )
        assert reply.status_code == 201, reply.text
        assert reply.json()["status"] == "pending"
        await stack.settled()
        control = stack.runtime.control
        async with asyncio.timeout(10):
            while control.dispositions.pending():
                await asyncio.sleep(0.05)
        assert await stored_disposition(stack, linkedid) == (
            "membership",
            False,
            ("membership", False, None),
        )
        await desk.ws.close()


async def test_disposition_bad_input(database_url: str) -> None:
    async with control_stack(database_url) as (stack, _), client(stack) as http:
        own = await headers(stack, "agent", "1001")
        unknown_call = await http.post(
            "/api/agents/1001/disposition",
            json={"linkedid": "1795343813.999", "code": "other", "settled": True},
            headers=own,
        )
        assert unknown_call.status_code == 404
        for body in (
            {"linkedid": "1.1", "code": "no_such_code", "settled": True},
            {"linkedid": "1.1", "code": "other"},
            {"linkedid": "", "code": "other", "settled": True},
        ):
            reply = await http.post("/api/agents/1001/disposition", json=body, headers=own)
            assert reply.status_code == 422, body
        assert stack.runtime.control.dispositions.pending() == []
