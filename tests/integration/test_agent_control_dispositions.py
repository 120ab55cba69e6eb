"""Who may give a call its disposition, and corrections kept as history (SQLite, PostgreSQL)."""

from __future__ import annotations

import asyncio

from test_agent_control import client, control_stack, headers
from test_agent_control_calls import stored_disposition


async def test_an_agent_cannot_dispose_of_another_agents_call(database_url: str) -> None:
    async with control_stack(database_url) as (stack, _), client(stack) as http:
        mine = await headers(stack, "agent", "1001")
        linkedid = stack.sim.place_call(
            "+8613800138000", "Li Wei", "8001", answer_by="1002", agent_answers_after=1, talk_s=3
        )
        await stack.settled()
        reply = await http.post(
            "/api/agents/1001/disposition",
            json={"linkedid": linkedid, "code": "wrong_number", "settled": False},
            headers=mine,
        )
        assert reply.status_code == 403, reply.text
        assert "1001 did not handle call" in reply.json()["detail"]
        assert await stored_disposition(stack, linkedid) == (None, None, (None, False, None))
        history = await http.get(f"/api/calls/{linkedid}/dispositions", headers=mine)
        assert history.status_code == 200 and history.json() == []


async def test_a_supervisor_correction_is_kept_beside_the_agents_disposition(
    database_url: str,
) -> None:
    async with control_stack(database_url) as (stack, _), client(stack) as http:
        agent = await headers(stack, "agent", "1002")
        boss = await headers(stack, "supervisor")
        linkedid = stack.sim.place_call(
            "+8613800138000", "Li Wei", "8001", answer_by="1002", agent_answers_after=1, talk_s=3
        )
        await stack.settled()
        first = await http.post(
            "/api/agents/1002/disposition",
            json={"linkedid": linkedid, "code": "order_status", "settled": True},
            headers=agent,
        )
        assert first.status_code == 201, first.text
        fixed = await http.post(
            "/api/agents/1002/disposition",
            json={"linkedid": linkedid, "code": "wrong_number", "settled": False, "note": "fixed"},
            headers=boss,
        )
        assert fixed.status_code == 201, fixed.text
        assert await stored_disposition(stack, linkedid) == (
            "wrong_number",
            False,
            ("wrong_number", False, "fixed"),
        )
        history = (await http.get(f"/api/calls/{linkedid}/dispositions", headers=boss)).json()
        assert [(h["code"], h["settled"], h["agent"]) for h in history] == [
            ("order_status", True, "1002"),
            ("wrong_number", False, "1002"),
        ]
        assert history[0]["set_by"] == "agent 1002"
        assert history[1]["set_by"].startswith("supervisor")
        unknown = await http.get("/api/calls/1795343813.999/dispositions", headers=boss)
        assert unknown.status_code == 404


async def test_during_the_call_another_agent_is_refused_at_once(database_url: str) -> None:
    async with control_stack(database_url) as (stack, _), client(stack) as http:
        mine = await headers(stack, "agent", "1001")
        desk = await stack.agent_socket("1002")
        await asyncio.sleep(0.2)
        linkedid = stack.sim.place_call(
            "+8613800138000", "Li Wei", "8001", answer_by="1002", agent_answers_after=1, talk_s=20
        )
        await desk.next("call_update", state="answered", linkedid=linkedid)
        reply = await http.post(
            "/api/agents/1001/disposition",
            json={"linkedid": linkedid, "code": "wrong_number", "settled": False},
            headers=mine,
        )
        assert reply.status_code == 403, reply.text
        assert stack.runtime.control.dispositions.pending() == []
        await desk.ws.close()
