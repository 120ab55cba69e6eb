"""`GET /api/agents/{code}/campaigns` against the whole app under uvicorn with the simulated
Asterisk, on SQLite and PostgreSQL: an agent is offered the running campaigns of the groups
they have skills in, nothing else; another agent's list is refused, a supervisor may read any."""

from __future__ import annotations

import httpx

from support.livestack import LiveStack, live_stack


async def _headers(stack: LiveStack, role: str, code: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {await stack.token(role, code)}"}


async def _campaign(client: httpx.AsyncClient, name: str, group: str, mode: str) -> int:
    body = {"name": name, "csv": "13900000001", "group": group, "mode": mode}
    made = await client.post("/api/campaigns", json=body)
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


async def test_agents_are_offered_the_running_campaigns_of_their_groups(
    database_url: str,
) -> None:
    """Figure: running campaigns in member-hotline (preview), online-service (predictive) and
    telemarketing, a paused and a draft one in member-hotline -> Wang Fang (1001, member-hotline)
    is offered the first only, Liu Yang (1003, member-hotline and online-service) the first two;
    1001 asking for 1003's list is 403, a supervisor reads it; after the first is stopped 1001
    is offered nothing."""
    async with live_stack(database_url, wait_ami=True) as stack:
        sup = await _headers(stack, "supervisor")
        async with httpx.AsyncClient(base_url=stack.url(""), headers=sup, timeout=20) as client:
            hotline = await _campaign(client, "Lapsing members", "member-hotline", "preview")
            online = await _campaign(client, "Web buyers", "online-service", "predictive")
            sales = await _campaign(client, "Winter catalogue", "telemarketing", "predictive")
            paused = await _campaign(client, "Paused one", "member-hotline", "progressive")
            await _campaign(client, "Draft one", "member-hotline", "progressive")
            for cid in (hotline, online, sales, paused):
                started = await client.post(f"/api/campaigns/{cid}/start")
                assert started.status_code == 200, started.text
            assert (await client.post(f"/api/campaigns/{paused}/pause")).status_code == 200

        async with httpx.AsyncClient(base_url=stack.url(""), timeout=20) as client:
            a1 = await _headers(stack, "agent", "1001")
            mine = await client.get("/api/agents/1001/campaigns", headers=a1)
            assert mine.status_code == 200, mine.text
            assert mine.json() == [
                {
                    "id": hotline,
                    "name": "Lapsing members",
                    "group": "member-hotline",
                    "mode": "preview",
                    "state": "running",
                }
            ]
            a3 = await _headers(stack, "agent", "1003")
            theirs = await client.get("/api/agents/1003/campaigns", headers=a3)
            assert [c["id"] for c in theirs.json()] == [hotline, online]
            assert (await client.get("/api/agents/1003/campaigns", headers=a1)).status_code == 403
            read = await client.get("/api/agents/1003/campaigns", headers=sup)
            assert read.status_code == 200 and [c["id"] for c in read.json()] == [hotline, online]
            assert (await client.get("/api/agents/1001/campaigns")).status_code == 401

            stopped = await client.post(f"/api/campaigns/{hotline}/stop", headers=sup)
            assert stopped.status_code == 200, stopped.text
            assert (await client.get("/api/agents/1001/campaigns", headers=a1)).json() == []
