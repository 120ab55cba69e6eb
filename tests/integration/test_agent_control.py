"""Agent control REST API against the simulated Asterisk over real TCP: queues, pause, access."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

import httpx

from callcenter.adapters.db.engine import make_engine, make_session_factory
from callcenter.adapters.db.uow import SqlUnitOfWork
from callcenter.domain.agents.records import Skill
from callcenter.domain.customers.records import NewCustomer, PhoneInput
from callcenter.services.tokens import create_token
from callcenter.sim.model import interface_of
from support.livestack import LiveStack, live_stack

SUN_HUI = "1011"  # not a member of any simulated queue yet: a clean login


async def seed_extra(database_url: str) -> dict[str, int]:
    """Agent 1011 Sun Hui (hotline level 8, finance level 10) and a do-not-call customer."""
    engine = make_engine(database_url)
    try:
        async with SqlUnitOfWork(make_session_factory(engine)) as uow:
            await uow.agents.add(
                code=SUN_HUI,
                name="Sun Hui",
                interface=interface_of(SUN_HUI),
                state_interface=f"Custom:agent{SUN_HUI}",
                skills=[Skill("member-hotline", 8), Skill("finance", 10)],
            )
            dnc = await uow.customers.add(
                customer=NewCustomer(
                    member_number="M0000099",
                    name="Qian Mo",
                    segment="regular",
                    member_since=date(2020, 1, 1),
                    do_not_call=True,
                    phones=(PhoneInput(raw="13911112222", e164="+8613911112222"),),
                )
            )
            await uow.commit()
    finally:
        await engine.dispose()
    return {"dnc": dnc}


@asynccontextmanager
async def control_stack(database_url: str) -> AsyncIterator[tuple[LiveStack, dict[str, int]]]:
    """The live stack with agent control wired as build_runtime will wire it, AMI connected."""
    extra = await seed_extra(database_url)
    async with live_stack(database_url) as stack:
        await stack.ami_connected()
        yield stack, extra


async def headers(stack: LiveStack, role: str, agent: str | None = None) -> dict[str, str]:
    token, _ = await create_token(uow=stack.runtime.uow, role=role, agent_code=agent)
    return {"Authorization": f"Bearer {token}"}


def client(stack: LiveStack) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=f"http://127.0.0.1:{stack.http_port}", timeout=15)


def members(stack: LiveStack, code: str) -> dict[str, Any]:
    """queue -> the simulated PBX's membership of this agent."""
    iface = interface_of(code)
    return {q.name: q.members[iface] for q in stack.sim.model.queues.values() if iface in q.members}


async def test_login_adds_each_skill_queue_with_its_penalty_and_logout_removes(
    database_url: str,
) -> None:
    async with control_stack(database_url) as (stack, _), client(stack) as http:
        own = await headers(stack, "agent", SUN_HUI)
        reply = await http.post(f"/api/agents/{SUN_HUI}/login", headers=own)
        assert reply.status_code == 200, reply.text
        assert reply.json()["agent"] == SUN_HUI
        assert sorted((q["queue"], q["penalty"]) for q in reply.json()["queues"]) == [
            ("finance", 0),
            ("member-hotline", 2),
        ]
        now_in = members(stack, SUN_HUI)
        assert sorted(now_in) == ["finance", "member-hotline"]
        assert now_in["member-hotline"].penalty == 2
        assert now_in["finance"].penalty == 0
        assert now_in["finance"].agent.name == "Sun Hui"
        assert now_in["finance"].agent.state_interface == "Custom:agent1011"
        assert now_in["finance"].membership == "dynamic"

        reply = await http.post(f"/api/agents/{SUN_HUI}/logout", headers=own)
        assert reply.status_code == 200, reply.text
        assert sorted(reply.json()["queues"]) == ["finance", "member-hotline"]
        assert members(stack, SUN_HUI) == {}
        # logging out twice is harmless: Asterisk's "Not there" means the job is done
        again = await http.post(f"/api/agents/{SUN_HUI}/logout", headers=own)
        assert again.status_code == 200
        assert again.json()["queues"] == []


async def test_pause_with_reason_reaches_the_desktop_and_resume_clears_it(
    database_url: str,
) -> None:
    async with control_stack(database_url) as (stack, _), client(stack) as http:
        own = await headers(stack, "agent", "1002")
        desk = await stack.agent_socket("1002")
        await asyncio.sleep(0.2)

        reasons = await http.get("/api/pause-reasons", headers=own)
        assert reasons.status_code == 200
        assert "Lunch break" in reasons.json()

        reply = await http.post(
            "/api/agents/1002/pause", json={"reason": "Lunch break"}, headers=own
        )
        assert reply.status_code == 200, reply.text
        state = await desk.next("agent_state", state="paused")
        assert state["reason"] == "Lunch break"
        assert state["agent"] == "1002"
        assert members(stack, "1002")["member-hotline"].paused is True
        assert members(stack, "1002")["member-hotline"].reason == "Lunch break"

        live = await http.get("/api/agents/1002/state", headers=own)
        assert live.json()["state"] == "paused"
        assert live.json()["reason"] == "Lunch break"

        reply = await http.post("/api/agents/1002/resume", headers=own)
        assert reply.status_code == 200, reply.text
        await desk.next("agent_state", state="available")
        assert members(stack, "1002")["member-hotline"].paused is False
        await desk.ws.close()


async def test_unknown_pause_reason_is_422_and_nothing_is_sent(database_url: str) -> None:
    async with control_stack(database_url) as (stack, _), client(stack) as http:
        own = await headers(stack, "agent", "1002")
        for body in ({"reason": "Coffee"}, {"reason": ""}, {}, {"reason": "Lunch break", "x": 1}):
            reply = await http.post("/api/agents/1002/pause", json=body, headers=own)
            assert reply.status_code == 422, body
        assert members(stack, "1002")["member-hotline"].paused is False


async def test_asterisk_refusal_is_502_naming_the_action_and_its_message(
    database_url: str,
) -> None:
    async with control_stack(database_url) as (stack, _), client(stack) as http:
        # 1001 is already a (static) member of member-hotline on the simulated PBX
        reply = await http.post("/api/agents/1001/login", headers=await headers(stack, "admin"))
        assert reply.status_code == 502
        assert reply.json() == {"detail": "QueueAdd failed: Unable to add interface: Already there"}


async def test_no_asterisk_connection_is_503(database_url: str) -> None:
    async with control_stack(database_url) as (stack, _), client(stack) as http:
        await stack.sim.stop()
        listener = stack.runtime.listeners["pbx1"]
        async with asyncio.timeout(10):
            while listener.connected:
                await asyncio.sleep(0.02)
        reply = await http.post(
            "/api/agents/1002/pause",
            json={"reason": "Training"},
            headers=await headers(stack, "supervisor"),
        )
        assert reply.status_code == 503
        assert "pbx1" in reply.json()["detail"]


async def test_agent_may_act_only_for_self_supervisor_for_anyone(database_url: str) -> None:
    async with control_stack(database_url) as (stack, _), client(stack) as http:
        wang = await headers(stack, "agent", "1001")
        for path, body in (
            ("pause", {"reason": "Training"}),
            ("resume", None),
            ("login", None),
            ("logout", None),
            ("dial", {"number": "13812345678"}),
            ("transfer", {"group": "finance"}),
            ("disposition", {"linkedid": "1.1", "code": "other", "settled": True}),
        ):
            reply = await http.post(f"/api/agents/1002/{path}", json=body, headers=wang)
            assert reply.status_code == 403, path
        assert (await http.get("/api/agents/1002/state", headers=wang)).status_code == 403
        assert members(stack, "1002")["member-hotline"].paused is False

        dialplan = await headers(stack, "dialplan")
        assert (await http.post("/api/agents/1002/resume", headers=dialplan)).status_code == 403
        assert (await http.post("/api/agents/1002/resume")).status_code == 401

        boss = await headers(stack, "supervisor")
        reply = await http.post("/api/agents/1002/pause", json={"reason": "Meeting"}, headers=boss)
        assert reply.status_code == 200
        assert members(stack, "1002")["member-hotline"].reason == "Meeting"
        assert (await http.post("/api/agents/1002/resume", headers=boss)).status_code == 200
        assert (await http.post("/api/agents/9999/resume", headers=boss)).status_code == 404
