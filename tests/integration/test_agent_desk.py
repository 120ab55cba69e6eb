"""The agent's desk as the server keeps it, and a pause asked for during a call."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
from test_agent_control import client, control_stack, headers, members

CALLER = "+8613800138000"  # Li Wei


async def desk_until(
    http: httpx.AsyncClient, auth: dict[str, str], check: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """GET the desk until `check` holds (10 s at most)."""
    async with asyncio.timeout(10):
        while True:
            reply = await http.get("/api/agents/1001/desk", headers=auth)
            assert reply.status_code == 200
            desk: dict[str, Any] = reply.json()
            if check(desk):
                return desk
            await asyncio.sleep(0.05)


async def test_pause_during_a_call_is_pending_until_the_call_ends_then_applied(
    database_url: str,
) -> None:
    async with control_stack(database_url) as (stack, _), client(stack) as http:
        own = await headers(stack, "agent", "1001")
        linkedid = stack.sim.place_call(
            CALLER, "Li Wei", "8001", answer_by="1001", agent_answers_after=2, talk_s=60
        )
        desk = await desk_until(http, own, lambda d: (d["call"] or {}).get("phase") == "connected")
        assert desk["call"]["linkedid"] == linkedid
        assert desk["call"]["pop"]["call"]["caller"] == CALLER
        assert desk["call"]["answered_at"] >= desk["call"]["ringing_at"]

        reply = await http.post("/api/agents/1001/pause", json={"reason": "Lunch"}, headers=own)
        assert reply.status_code == 422  # not a configured reason: refused, nothing pending
        reply = await http.post(
            "/api/agents/1001/pause", json={"reason": "Lunch break"}, headers=own
        )
        assert reply.status_code == 200
        assert reply.json() == {
            "agent": "1001", "paused": False, "pending": True, "reason": "Lunch break"
        }  # fmt: skip
        assert not any(m.paused for m in members(stack, "1001").values())  # the call goes on
        desk = await desk_until(http, own, lambda d: True)
        assert desk["pause_pending"] == "Lunch break"
        boss = await headers(stack, "supervisor")
        board = (await http.get("/api/wallboard", headers=boss)).json()
        pending = {a["code"]: a["pause_pending"] for a in board["agents"]}
        assert pending["1001"] == "Lunch break" and pending["1002"] is None

        # the call ends: the pause is sent, the wrap-up of that call is open on the desk
        desk = await desk_until(http, own, lambda d: d["pause_pending"] is None)
        async with asyncio.timeout(5):
            while not all(m.paused for m in members(stack, "1001").values()):
                await asyncio.sleep(0.05)
        assert {m.reason for m in members(stack, "1001").values()} == {"Lunch break"}
        # paused in every queue (shown as wrap-up until the queue's wrap-up time is over)
        desk = await desk_until(http, own, lambda d: bool(d["presence"]["paused_in"]))
        assert desk["presence"]["paused_in"] == desk["presence"]["queues"]
        assert desk["presence"]["state"] in {"wrap_up", "paused"}
        assert desk["call"] is None
        board = (await http.get("/api/wallboard", headers=boss)).json()
        assert {a["code"]: a["pause_pending"] for a in board["agents"]}["1001"] is None
        wrap = desk["wrap_up"]
        assert wrap["linkedid"] == linkedid
        assert wrap["ended"]["disposition_required"] is True
        assert wrap["wrapup_s"] == stack.settings.queue_wrapup_s["member-hotline"]
        assert wrap["wrapup_until"] == wrap["ended_at"] + wrap["wrapup_s"]
        assert wrap["pop"]["bundle"]["customer"]["name"] == "Li Wei"

        other = await headers(stack, "agent", "1002")
        assert (await http.get("/api/agents/1001/desk", headers=other)).status_code == 403
        reply = await http.post(
            "/api/agents/1001/disposition",
            json={"linkedid": linkedid, "code": "order_status", "settled": True},
            headers=own,
        )
        assert reply.status_code == 201
        desk = await desk_until(http, own, lambda d: True)
        assert desk["wrap_up"] is None


async def test_pause_when_idle_is_applied_at_once(database_url: str) -> None:
    async with control_stack(database_url) as (stack, _), client(stack) as http:
        own = await headers(stack, "agent", "1001")
        reply = await http.post("/api/agents/1001/pause", json={"reason": "Training"}, headers=own)
        assert reply.json()["paused"] is True and reply.json()["pending"] is False
        assert all(m.paused for m in members(stack, "1001").values())
        desk = await desk_until(http, own, lambda d: True)
        assert desk["pause_pending"] is None and desk["call"] is None and desk["wrap_up"] is None
