"""Who may see what: agent streams stay private, admin routes stay closed, revocation is instant."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import websockets

from callcenter.services.tokens import create_token
from support.faults import subscribed
from support.livestack import AgentSocket, LiveStack, live_stack


async def _token(stack: LiveStack, role: str, agent: str | None = None) -> tuple[str, int]:
    return await create_token(uow=stack.runtime.uow, role=role, agent_code=agent)


async def _socket(stack: LiveStack, path: str, hello: dict[str, Any]) -> Any:
    ws = await websockets.connect(f"ws://127.0.0.1:{stack.http_port}{path}")
    await ws.send(json.dumps({"type": "hello", **hello}))
    return ws


async def _closed_with(ws: Any) -> int | None:
    """Read until the server closes the socket; its close code."""
    try:
        async with asyncio.timeout(10):
            while True:
                await ws.recv()
    except websockets.ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None


async def test_an_agent_sees_only_its_own_stream(database_url: str) -> None:
    """Figure: a call rings agent 1002 -> 1002 gets 1 pop; paused 1001 (even asking for 1002's
    channel in its hello and query) gets 0 pops, 0 call updates, and only its own agent state."""
    async with live_stack(database_url) as stack:
        await stack.ami_connected()
        t1001, _ = await _token(stack, "agent", "1001")
        nosy = AgentSocket(
            "1001",
            await _socket(
                stack,
                "/ws/agent?agent=1002&channel=agent:1002",
                {"token": t1001, "agent": "1002", "channel": "agent:1002"},
            ),
        )
        zhang = await stack.agent_socket("1002")
        await subscribed(stack, "1001", "1002")
        # 1001 pauses, so the queue rings only 1002: any pop 1001 got would be someone else's.
        await stack.runtime.listeners["pbx1"].send_action(
            {"Action": "QueuePause", "Interface": "Local/1001@agents/n", "Paused": "true"}
        )
        await nosy.next("agent_state", state="paused")
        linkedid = stack.sim.place_call(
            "+8613800138000", "Li Wei", "8001", answer_by="1002", agent_answers_after=1, talk_s=1
        )
        pop = await zhang.next("screen_pop")
        assert pop["call"]["linkedid"] == linkedid
        await stack.settled()
        await nosy.drain(0.5)
        assert [m for m in nosy.received if m["type"] in ("screen_pop", "call_update")] == []
        assert {m.get("agent") for m in nosy.received if m["type"] == "agent_state"} <= {"1001"}
        await nosy.ws.close()
        await zhang.ws.close()


async def test_agent_token_is_refused_by_supervisor_and_admin_surfaces(database_url: str) -> None:
    """Figure: an agent token -> wallboard socket closed 1008; 6 manager/admin HTTP routes 403;
    acting for another agent 403; the same routes with a supervisor token are not refused."""
    async with live_stack(database_url) as stack:
        agent, _ = await _token(stack, "agent", "1001")
        supervisor, _ = await _token(stack, "supervisor")
        board = await _socket(stack, "/ws/wallboard", {"token": agent})
        assert await _closed_with(board) == 1008

        base = f"http://127.0.0.1:{stack.http_port}"
        proxied = {"X-Forwarded-For": "203.0.113.9"}  # as a scraper behind a proxy would come
        routes = [
            ("GET", "/api/wallboard", {}),
            ("GET", "/api/reports/daily", {}),
            ("GET", "/api/agents/1002/state", {}),
            ("POST", "/api/agents/1002/pause", {"json": {"reason": "Lunch break"}}),
            ("POST", "/api/tokens/1/revoke", {}),
            ("GET", "/metrics", {"headers": proxied}),
        ]
        async with httpx.AsyncClient(base_url=base, timeout=10) as client:
            for method, path, extra in routes:
                headers = {"Authorization": f"Bearer {agent}", **extra.get("headers", {})}
                reply = await client.request(
                    method,
                    path,
                    headers=headers,
                    **{k: v for k, v in extra.items() if k != "headers"},
                )
                assert reply.status_code == 403, (method, path, reply.status_code, reply.text)
            for path in ("/api/wallboard", "/api/reports/daily", "/metrics"):
                headers = {"Authorization": f"Bearer {supervisor}", **proxied}
                reply = await client.get(path, headers=headers)
                assert reply.status_code not in (401, 403), (path, reply.status_code)
            anonymous = await client.get("/metrics", headers=proxied)
            assert anonymous.status_code == 401


async def test_revoked_token_is_refused_at_once_even_on_an_open_socket(database_url: str) -> None:
    """Figure: revoke through the API -> the open desktop socket closes 1008 within the same
    request, and the very next HTTP call with the (cached) token gets 401; others unaffected."""
    async with live_stack(database_url) as stack:
        await stack.ami_connected()
        admin, admin_id = await _token(stack, "admin")
        agent, agent_id = await _token(stack, "agent", "1001")
        other, _ = await _token(stack, "agent", "1002")
        base = f"http://127.0.0.1:{stack.http_port}"
        async with httpx.AsyncClient(base_url=base, timeout=10) as client:
            mine = {"Authorization": f"Bearer {agent}"}
            assert (await client.get("/api/agents/1001/state", headers=mine)).status_code == 200
            desk = await _socket(stack, "/ws/agent", {"token": agent})
            desk2 = await _socket(stack, "/ws/agent", {"token": other})
            await subscribed(stack, "1001", "1002")

            reply = await client.post(
                f"/api/tokens/{agent_id}/revoke", headers={"Authorization": f"Bearer {admin}"}
            )
            assert reply.status_code == 200
            assert reply.json() == {"token_id": agent_id, "revoked": True, "sockets_closed": 1}
            assert await _closed_with(desk) == 1008
            assert (await client.get("/api/agents/1001/state", headers=mine)).status_code == 401
            again = await _socket(stack, "/ws/agent", {"token": agent})
            assert await _closed_with(again) == 1008

            twice = await client.post(
                f"/api/tokens/{agent_id}/revoke", headers={"Authorization": f"Bearer {admin}"}
            )
            assert twice.status_code == 404
            unknown = await client.post(
                "/api/tokens/999999/revoke", headers={"Authorization": f"Bearer {admin}"}
            )
            assert unknown.status_code == 404
            huge = await client.post(
                f"/api/tokens/{2**70}/revoke", headers={"Authorization": f"Bearer {admin}"}
            )
            assert huge.status_code == 422
            # The other agent's desktop stays connected and keeps working.
            stack.sim.place_call(
                "+8613800138000", "Li Wei", "8001", answer_by="1002", agent_answers_after=1
            )
            socket2 = AgentSocket("1002", desk2)
            assert (await socket2.next("screen_pop"))["call"]["queue"] == "member-hotline"
            await desk2.close()
        assert admin_id != agent_id
