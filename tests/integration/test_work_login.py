"""Agents log in to and out of work-item groups apart from the voice queues (SQLite, PostgreSQL):
an item is not offered to an agent logged out of its group, is offered within a second of a
work login, a logout takes back an open offer (to the next agent) but nothing accepted, and the
choice survives a restart."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
from test_work_offers import auth, file_item, stored, work_stack

from support.livestack import LiveStack


async def post(
    stack: LiveStack, path: str, code: str, body: Any = None, role: str = "agent"
) -> httpx.Response:
    headers = await auth(stack, role, code if role == "agent" else None)
    async with httpx.AsyncClient(base_url=stack.url(""), timeout=10) as http:
        return await http.post(path, json=body, headers=headers)


async def groups_of(stack: LiveStack, code: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=stack.url(""), timeout=10) as http:
        got = await http.get(
            f"/api/agents/{code}/work-groups", headers=await auth(stack, "agent", code)
        )
    assert got.status_code == 200, got.text
    return dict(got.json())


def offers(messages: list[dict[str, Any]]) -> list[int]:
    return [m["item_id"] for m in messages if m["type"] == "work_offer"]


async def test_logged_out_of_a_group_no_offer_then_one_within_a_second_of_work_login(
    database_url: str,
) -> None:
    async with work_stack(database_url, work_offer_timeout_s=30.0) as stack:
        best, other = await stack.agent_socket("1007"), await stack.agent_socket("1008")
        await asyncio.sleep(0.3)
        # both are in the letters voice queue: following it, both take its work today
        assert (await groups_of(stack, "1007"))["logged_in"] == ["letters"]
        out = await post(stack, "/api/agents/1007/work-logout", "1007")  # the agent, for all
        assert out.status_code == 200, out.text
        assert out.json()["groups"] == [{"group": "letters", "logged_in": False, "chosen": False}]
        by_supervisor = await post(
            stack, "/api/agents/1008/work-logout", "1008", {"groups": ["letters"]}, "supervisor"
        )
        assert by_supervisor.status_code == 200, by_supervisor.text
        assert by_supervisor.json()["logged_in"] == []

        item = await file_item(stack, "letter", "letters")
        assert offers(await best.drain(1.5)) == [] and offers(await other.drain(0.1)) == []
        assert (await stored(stack, item))[:2] == ("new", None)  # waiting, not lost

        started = time.monotonic()
        back = await post(stack, "/api/agents/1007/work-login", "1007", {"groups": ["letters"]})
        assert back.status_code == 200, back.text
        offer = await best.next("work_offer", item_id=item, timeout=5)
        assert time.monotonic() - started < 1.0  # the login nudged a pass: no wait for a timer
        assert offer["group"] == "letters"
        assert (await groups_of(stack, "1007"))["groups"] == [
            {"group": "letters", "logged_in": True, "chosen": True}
        ]
        assert offers(await other.drain(0.3)) == []


async def test_a_work_logout_sends_an_open_offer_on_and_keeps_what_was_accepted(
    database_url: str,
) -> None:
    async with work_stack(database_url, work_offer_timeout_s=30.0) as stack:
        best, other = await stack.agent_socket("1007"), await stack.agent_socket("1008")
        await asyncio.sleep(0.3)
        kept = await file_item(stack, "letter", "letters")
        await best.next("work_offer", item_id=kept)
        took = await post(stack, f"/api/agents/1007/work/{kept}/accept", "1007")
        assert took.status_code == 200, took.text
        open_ = await file_item(stack, "letter", "letters")
        await best.next("work_offer", item_id=open_)  # room for 3 back-office items

        out = await post(stack, "/api/agents/1007/work-logout", "1007")
        assert out.status_code == 200, out.text
        gone = await best.next("work_update", item_id=open_, state="withdrawn", timeout=3)
        assert gone["outcome"] == "work_logout"
        await other.next("work_offer", item_id=open_, timeout=3)
        # not counted as declined: back in the group, 1007 could be offered it again
        assert (await stored(stack, open_))[:3] == ("offered", "1008", ())
        assert (await stored(stack, kept))[:2] == ("accepted", "1007")
        done = await post(
            stack,
            f"/api/agents/1007/work/{kept}/complete",
            "1007",
            {"disposition": "address_change"},
        )
        assert done.status_code == 200, done.text  # logged out, still finishing what is theirs


async def test_bad_work_logins_are_refused_naming_the_field(database_url: str) -> None:
    async with work_stack(database_url) as stack:
        unknown = await post(stack, "/api/agents/1007/work-login", "1007", {"groups": ["nope"]})
        assert unknown.status_code == 422 and "groups" in unknown.text
        assert "unknown group" in unknown.text
        unskilled = await post(
            stack, "/api/agents/1007/work-login", "1007", {"groups": ["member-hotline"]}
        )
        assert unskilled.status_code == 422 and "no skill" in unskilled.text
        empty = await post(stack, "/api/agents/1007/work-login", "1007", {"groups": []})
        assert empty.status_code == 422 and "groups" in empty.text
        extra = await post(stack, "/api/agents/1007/work-login", "1007", {"group": "letters"})
        assert extra.status_code == 422
        headers = await auth(stack, "agent", "1008")
        async with httpx.AsyncClient(base_url=stack.url(""), timeout=10) as http:
            other = await http.post("/api/agents/1007/work-logout", headers=headers)
            assert other.status_code == 403
            peek = await http.get("/api/agents/1007/work-groups", headers=headers)
            assert peek.status_code == 403
        missing = await post(stack, "/api/agents/9999/work-login", "", None, "supervisor")
        assert missing.status_code == 404
        assert (await groups_of(stack, "1007"))["groups"][0]["chosen"] is None  # nothing stored


async def test_a_work_logout_survives_a_restart(database_url: str) -> None:
    async with work_stack(database_url, work_offer_timeout_s=30.0) as stack:
        out = await post(stack, "/api/agents/1007/work-logout", "1007")
        assert out.status_code == 200, out.text
        await stack.restart()
        await stack.ami_connected()
        best, other = await stack.agent_socket("1007"), await stack.agent_socket("1008")
        await asyncio.sleep(0.3)
        item = await file_item(stack, "letter", "letters")
        await other.next("work_offer", item_id=item, timeout=5)  # 1007 ranks higher, but is out
        assert offers(await best.drain(0.5)) == []
        assert (await groups_of(stack, "1007"))["logged_in"] == []


async def test_with_logins_not_following_the_queues_only_a_work_login_counts(
    database_url: str,
) -> None:
    async with work_stack(database_url, work_login_follows_queues=False) as stack:
        best = await stack.agent_socket("1007")
        await asyncio.sleep(0.3)
        item = await file_item(stack, "letter", "letters")
        assert offers(await best.drain(1.0)) == []  # in the voice queue, not in the work group
        assert (await groups_of(stack, "1007"))["logged_in"] == []
        back = await post(stack, "/api/agents/1007/work-login", "1007")
        assert back.status_code == 200, back.text
        await best.next("work_offer", item_id=item, timeout=3)


async def wallboard_work(stack: LiveStack) -> dict[str, list[str]]:
    async with httpx.AsyncClient(base_url=stack.url(""), timeout=10) as http:
        got = await http.get("/api/wallboard", headers=await auth(stack, "supervisor"))
    assert got.status_code == 200, got.text
    return {a["code"]: a["work_groups"] for a in got.json()["agents"]}


async def test_the_wallboard_shows_who_is_logged_in_to_which_work_groups(
    database_url: str,
) -> None:
    async with work_stack(database_url) as stack:
        deadline = time.monotonic() + 5
        while (await wallboard_work(stack)).get("1007") != ["letters"]:
            assert time.monotonic() < deadline, await wallboard_work(stack)
            await asyncio.sleep(0.1)
        assert (await wallboard_work(stack)).get("1008") == ["letters"]
        out = await post(stack, "/api/agents/1007/work-logout", "1007")
        assert out.status_code == 200, out.text
        deadline = time.monotonic() + 3
        while (await wallboard_work(stack)).get("1007") != []:
            assert time.monotonic() < deadline, await wallboard_work(stack)
            await asyncio.sleep(0.1)
        assert (await wallboard_work(stack)).get("1008") == ["letters"]
