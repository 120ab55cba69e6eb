"""Supervisors listen to, whisper to and barge into live simulated calls; every session audited."""

from __future__ import annotations

import asyncio
from typing import Any

from test_agent_control import client, control_stack, headers
from test_agent_control_calls import originates
from test_queue_callbacks import ami

from callcenter.sim.chanspy import spy_mode
from support.livestack import LiveStack

SUPERVISOR_PHONE = "Local/1101@agent-phone/n"


def agent_channel_of(stack: LiveStack, linkedid: str, code: str) -> str:
    """The simulated PBX's channel of agent `code` on call `linkedid` (its queue leg)."""
    names = [
        ch.name
        for ch in stack.sim.model.channels.values()
        if ch.linkedid == linkedid and ch.name.startswith(f"Local/{code}@agents-")
    ]
    assert names, f"agent {code} has no channel on {linkedid}"
    return sorted(names)[0]


async def agent_on_a_call(stack: LiveStack) -> tuple[Any, str, str]:
    """Agent 1001's desktop open and a call of Li Wei's answered by them: (the desktop socket,
    the call's Linkedid, the agent's live channel on it)."""
    desk = await stack.agent_socket("1001")
    await asyncio.sleep(0.2)
    linkedid = stack.sim.place_call(
        "+8613800138000", "Li Wei", "8001", answer_by="1001",
        agent_answers_after=1, talk_s=80,
    )  # fmt: skip
    await desk.next("call_update", state="answered", linkedid=linkedid)
    return desk, linkedid, agent_channel_of(stack, linkedid, "1001")


async def wait_for(check: Any, timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not await check():
            await asyncio.sleep(0.05)


async def test_supervisor_whispers_to_a_live_call_on_the_agents_channel_and_is_audited(
    database_url: str,
) -> None:
    async with control_stack(database_url) as (stack, _), client(stack) as http:
        seen = originates(stack)
        boss = await headers(stack, "supervisor")
        agent = await headers(stack, "agent", "1001")
        body = {"mode": "whisper", "supervisor": SUPERVISOR_PHONE}

        refused = await http.post("/api/agents/1001/monitor", json=body, headers=agent)
        assert refused.status_code == 403
        idle = await http.post("/api/agents/1001/monitor", json=body, headers=boss)
        assert idle.status_code == 409, idle.text
        bad = await http.post(
            "/api/agents/1001/monitor", json={**body, "mode": "shout"}, headers=boss
        )
        assert bad.status_code == 422

        desk, linkedid, live_channel = await agent_on_a_call(stack)

        reply = await http.post("/api/agents/1001/monitor", json=body, headers=boss)
        assert reply.status_code == 202, reply.text
        assert reply.json()["linkedid"] == linkedid
        spies = [a for a in seen if a.get("application") == "ChanSpy"]
        assert len(spies) == 1
        assert spies[0]["data"] == f"{live_channel},qwd"  # the live channel, not Custom:agent1001
        assert spies[0]["channel"] == SUPERVISOR_PHONE

        async def flagged() -> bool:
            got = await http.get("/api/monitoring", headers=boss)
            return bool(got.json() == {"1001": "whisper"})

        await wait_for(flagged)
        hidden = await http.get("/api/agents/1001/monitor", headers=agent)
        assert hidden.status_code == 403  # the center's default: agents are not told
        shown = await http.get("/api/agents/1001/monitor", headers=boss)
        assert shown.json()["mode"] == "whisper"

        await stack.settled(timeout=30)
        assert (await http.get("/api/monitoring", headers=boss)).json() == {}

        async def closed() -> bool:
            rows = (await http.get("/api/audit?kind=monitor", headers=boss)).json()
            return len(rows) == 1 and rows[0]["ended_at"] is not None

        await wait_for(closed)
        (row,) = (await http.get("/api/audit?kind=monitor", headers=boss)).json()
        assert row["agent"] == "1001"
        assert row["linkedid"] == linkedid
        assert row["actor"].startswith("supervisor")
        assert "whisper" in row["detail"] and SUPERVISOR_PHONE in row["detail"]
        assert row["ended_at"] >= row["started_at"]
        assert (await http.get("/api/audit", headers=agent)).status_code == 403
        async with stack.runtime.uow() as uow:
            record = await uow.calls.get("pbx1", linkedid)
        assert record is not None and record.monitored == 1
        await desk.ws.close()


async def test_an_agent_may_see_that_they_are_listened_to_when_the_center_allows(
    database_url: str,
) -> None:
    async with control_stack(database_url) as (stack, _), client(stack) as http:
        stack.runtime.supervision.agent_sees_monitoring = True  # type: ignore[union-attr]
        boss = await headers(stack, "supervisor")
        own = await headers(stack, "agent", "1001")
        other = await headers(stack, "agent", "1002")
        desk = await stack.agent_socket("1001")
        await asyncio.sleep(0.2)
        linkedid = stack.sim.place_call(
            "+8613800138000", "Li Wei", "8001", answer_by="1001",
            agent_answers_after=1, talk_s=60,
        )  # fmt: skip
        await desk.next("call_update", state="answered", linkedid=linkedid)
        body = {"mode": "listen", "supervisor": SUPERVISOR_PHONE}
        assert (
            await http.post("/api/agents/1001/monitor", json=body, headers=boss)
        ).status_code == 202

        async def told() -> bool:
            got = await http.get("/api/agents/1001/monitor", headers=own)
            return bool(got.json()["monitored"])

        await wait_for(told)
        assert (await http.get("/api/agents/1001/monitor", headers=other)).status_code == 403
        await stack.settled(timeout=30)
        await desk.ws.close()


def spyer_of(stack: LiveStack, spied: str) -> tuple[str, str]:
    """The simulated PBX's ChanSpy channel on `spied`, and the mode ChanSpy runs in now."""
    found = [
        ch
        for ch in stack.sim.model.channels.values()
        if ch.application == "ChanSpy" and ch.app_data.startswith(f"{spied},")
    ]
    assert len(found) == 1, [ch.name for ch in found]
    return found[0].name, spy_mode(found[0].spy_flags)


async def test_a_supervisor_goes_from_listen_to_whisper_to_barge_without_hanging_up(
    database_url: str,
) -> None:
    async with control_stack(database_url) as (stack, _), client(stack) as http:
        boss = await headers(stack, "supervisor")
        agent = await headers(stack, "agent", "1001")
        url = "/api/agents/1001/monitor"
        nobody = await http.patch(url, json={"mode": "whisper"}, headers=boss)
        assert nobody.status_code == 409
        desk, linkedid, live_channel = await agent_on_a_call(stack)
        started = await http.post(
            url, json={"mode": "listen", "supervisor": SUPERVISOR_PHONE}, headers=boss
        )
        assert started.status_code == 202, started.text

        async def mode_shown(mode: str) -> bool:
            return bool((await http.get("/api/monitoring", headers=boss)).json() == {"1001": mode})

        await wait_for(lambda: mode_shown("listen"))
        spyer, mode = spyer_of(stack, live_channel)
        assert mode == "listen"

        assert (await http.patch(url, json={"mode": "whisper"}, headers=agent)).status_code == 403
        bad = await http.patch(url, json={"mode": "shout"}, headers=boss)
        assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "mode"]
        for wanted in ("whisper", "barge", "listen"):
            switched = await http.patch(url, json={"mode": wanted}, headers=boss)
            assert switched.status_code == 200, switched.text
            assert switched.json()["mode"] == wanted and switched.json()["linkedid"] == linkedid
            await wait_for(lambda w=wanted: mode_shown(w))
            # the same ChanSpy channel (no new Originate, no hang-up), now in the new mode
            assert spyer_of(stack, live_channel) == (spyer, wanted)

        rows = (await http.get("/api/audit?kind=monitor", headers=boss)).json()
        modes = [r["detail"].split(" ", 1)[0] for r in reversed(rows)]
        assert modes == ["listen", "whisper", "barge", "listen"]
        assert all(r["ended_at"] is not None for r in rows[1:])  # each mode's span closed
        assert rows[0]["ended_at"] is None  # the current one runs until ChanSpyStop
        await stack.settled(timeout=30)

        async def all_closed() -> bool:
            rows = (await http.get("/api/audit?kind=monitor", headers=boss)).json()
            return all(r["ended_at"] is not None for r in rows)

        await wait_for(all_closed)
        gone = await http.patch(url, json={"mode": "barge"}, headers=boss)
        assert gone.status_code == 409
        await desk.ws.close()


async def test_a_mode_key_pressed_on_the_supervisors_phone_is_followed_and_audited(
    database_url: str,
) -> None:
    """Figure: listen, then the supervisor presses 5 on their own phone (DTMF received on the
    ChanSpy leg) -> the wallboard shows whisper, the audit has a keypad row; a digit on the
    caller's channel changes nothing."""
    async with control_stack(database_url) as (stack, _), client(stack) as http:
        boss = await headers(stack, "supervisor")
        desk, linkedid, live_channel = await agent_on_a_call(stack)
        url = "/api/agents/1001/monitor"
        started = await http.post(
            url, json={"mode": "listen", "supervisor": SUPERVISOR_PHONE}, headers=boss
        )
        assert started.status_code == 202, started.text

        async def shown() -> Any:
            return (await http.get("/api/monitoring", headers=boss)).json()

        async def mode_shown(mode: str) -> bool:
            return bool(await shown() == {"1001": mode})

        await wait_for(lambda: mode_shown("listen"))
        spyer, _ = spyer_of(stack, live_channel)
        caller = next(
            ch.name
            for ch in stack.sim.model.channels.values()
            if ch.linkedid == linkedid and ch.name.startswith("Local/s@caller-")
        )
        async with ami(stack.settings.ami_servers[0].port) as t:
            for channel, digit in ((caller, "6"), (spyer, "5")):
                t.act(Action="PlayDTMF", Channel=channel, Digit=digit, Receive="true",
                      ActionID=f"key-{digit}")  # fmt: skip
                assert (await t.response(f"key-{digit}"))["Response"] == "Success"
            await wait_for(lambda: mode_shown("whisper"))
        assert spyer_of(stack, live_channel) == (spyer, "whisper")  # Asterisk's session too

        async def keypad_row() -> Any:
            rows = (await http.get("/api/audit?kind=monitor", headers=boss)).json()
            return rows if len(rows) == 2 else None

        await wait_for(keypad_row)
        rows = await keypad_row()
        assert rows[0]["detail"] == f"whisper from {SUPERVISOR_PHONE} (was listen), by its keypad"
        assert rows[0]["actor"] == f"{SUPERVISOR_PHONE} (keypad)"
        assert rows[1]["detail"].startswith("listen") and rows[1]["ended_at"] is not None
        # the backend's own switch back is not counted twice when its key echoes
        back = await http.patch(url, json={"mode": "listen"}, headers=boss)
        assert back.status_code == 200, back.text
        await asyncio.sleep(0.5)
        rows = (await http.get("/api/audit?kind=monitor", headers=boss)).json()
        assert [r["detail"].split(" ", 1)[0] for r in reversed(rows)] == [
            "listen",
            "whisper",
            "listen",
        ]
        await desk.ws.close()
