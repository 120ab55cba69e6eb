"""The desk side of `/api/campaigns` over HTTP, on SQLite and PostgreSQL: the list, caps, the
CSV report (in-process app), and preview next / skip / dial and dispositions against the whole
app under uvicorn with the simulated Asterisk: success, 422 naming the field, 403 for the wrong
role or agent, 404 for an unknown campaign."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx

from support import ApiHarness
from support.livestack import LiveStack, live_stack

ITEM = {"title": "Winter catalogue box", "quantity": 1, "unit_price": "88.00"}


def _locs(response: httpx.Response) -> list[list[Any]]:
    assert response.status_code == 422, response.text
    return [e["loc"] for e in response.json()["detail"]]


async def test_caps_list_and_report_of_a_campaign(api: ApiHarness) -> None:
    h = await api.headers("supervisor")
    agent = await api.headers("dialplan")  # any token that is not a manager
    body = {"name": "Lapsing", "csv": "13900000001\n13900000002", "mode": "predictive"}
    made = (await api.client.post("/api/campaigns", json=body, headers=h)).json()
    cid = made["id"]

    caps = {"abandon_cap_pct": 2.0, "dial_level_cap": 1.5}
    patched = await api.client.patch(f"/api/campaigns/{cid}", json=caps, headers=h)
    assert patched.status_code == 200, patched.text
    assert (patched.json()["abandon_cap_pct"], patched.json()["dial_level_cap"]) == (2.0, 1.5)
    for bad, field in [
        ({"dial_level_cap": 0.5}, "dial_level_cap"),
        ({"abandon_cap_pct": 11}, "abandon_cap_pct"),
        ({"speed": 3}, "speed"),
    ]:
        response = await api.client.patch(f"/api/campaigns/{cid}", json=bad, headers=h)
        assert any(field in loc for loc in _locs(response)), (bad, response.text)
    assert (
        await api.client.patch(f"/api/campaigns/{cid}", json=caps, headers=agent)
    ).status_code == 403
    assert (await api.client.patch("/api/campaigns/999", json=caps, headers=h)).status_code == 404
    cleared = await api.client.patch(
        f"/api/campaigns/{cid}", json={"dial_level_cap": None}, headers=h
    )
    assert cleared.json()["dial_level_cap"] is None and cleared.json()["abandon_cap_pct"] == 2.0

    listed = await api.client.get("/api/campaigns", headers=h)
    assert listed.status_code == 200, listed.text
    [row] = [c for c in listed.json() if c["id"] == cid]
    assert (row["name"], row["state"], row["list_left"], row["sales"]) == ("Lapsing", "draft", 2, 0)
    assert set(row["abandon_rate"]) == {"1h", "24h", "30d"}
    running = await api.client.get("/api/campaigns", params={"state": "running"}, headers=h)
    assert running.status_code == 200 and running.json() == []
    drafts = await api.client.get("/api/campaigns", params={"state": "draft"}, headers=h)
    assert [c["id"] for c in drafts.json()] == [cid]
    wrong = await api.client.get("/api/campaigns", params={"state": "asleep"}, headers=h)
    assert any("state" in loc for loc in _locs(wrong))
    assert (await api.client.get("/api/campaigns", headers=agent)).status_code == 403

    report = await api.client.get(f"/api/campaigns/{cid}/report.csv", headers=h)
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(report.text)))
    assert rows[0][:3] == ["agent", "attempts", "connected"] and "sale" in rows[0]
    assert rows[-1][:2] == ["(campaign)", "0"]
    assert (
        await api.client.get(f"/api/campaigns/{cid}/report.csv", headers=agent)
    ).status_code == 403
    assert (await api.client.get("/api/campaigns/999/report.csv", headers=h)).status_code == 404
    bad_id = await api.client.get("/api/campaigns/abc/report.csv", headers=h)
    assert any("campaign_id" in loc for loc in _locs(bad_id))


async def _preview_campaign(
    client: httpx.AsyncClient, sup: dict[str, str], group: str = "member-hotline"
) -> int:
    """A running preview campaign of `group` on the senior segment: Li Wei (seeded) and Sun Li
    (added with the first campaign)."""
    if group == "member-hotline":
        customer = {"name": "Sun Li", "segment": "senior", "phones": ["13800138011"]}
        made = await client.post("/api/customers", json=customer, headers=sup)
        assert made.status_code == 201, made.text
    body = {
        "group": group,
        "name": "New catalogue",
        "segment": "senior_members",
        "mode": "preview",
        "script": "Good morning, this is the Book Club",
        "offer": "-20 % on the winter box",
        "window": {"start": "00:00", "end": "23:59:59"},
    }
    made = await client.post("/api/campaigns", json=body, headers=sup)
    assert made.status_code == 201, made.text
    cid = int(made.json()["id"])
    started = await client.post(f"/api/campaigns/{cid}/start", headers=sup)
    assert started.status_code == 200, started.text
    return cid


async def _headers(stack: LiveStack, role: str, code: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {await stack.token(role, code)}"}


async def test_preview_next_skip_dial_and_dispositions(database_url: str) -> None:
    """Figure: a running preview campaign of two senior members, agent 1001 -> the agent is
    shown one with the script, skips it and gets the other, dials it; 1002 and supervisors are
    refused where the record is not theirs; bad dispositions are 422 naming the field; the
    sale files an order and the campaign counts it."""
    async with (
        live_stack(database_url, wait_ami=True) as stack,
        httpx.AsyncClient(base_url=stack.url(""), timeout=20) as client,
    ):
        sup = await _headers(stack, "supervisor")
        a1 = await _headers(stack, "agent", "1001")
        a2 = await _headers(stack, "agent", "1002")
        cid = await _preview_campaign(client, sup)
        base = f"/api/campaigns/{cid}"

        assert (await client.get(f"{base}/preview", headers=sup)).status_code == 403
        # an agent with no skill in the campaign's group is refused Next, Dial and Skip
        other = f"/api/campaigns/{await _preview_campaign(client, sup, 'telemarketing')}"
        assert (await client.get(f"{other}/preview", headers=a1)).status_code == 403
        for step in ("dial", "skip"):
            refused = await client.post(f"{other}/preview/1/{step}", headers=a1)
            assert refused.status_code == 403, refused.text
            assert "skill" in refused.text
        assert (await client.get("/api/campaigns/999/preview", headers=a1)).status_code == 404
        bad = await client.get("/api/campaigns/x/preview", headers=a1)
        assert any("campaign_id" in loc for loc in _locs(bad))
        first = (await client.get(f"{base}/preview", headers=a1)).json()["record"]
        assert first["script"] == "Good morning, this is the Book Club"
        assert first["offer"] == "-20 % on the winter box" and first["dialled"] is False
        rid = first["record_id"]
        again = (await client.get(f"{base}/preview", headers=a1)).json()["record"]
        assert again == first  # held until dialled or skipped

        assert (await client.post(f"{base}/preview/{rid}/skip", headers=sup)).status_code == 403
        nope = await client.post(f"/api/campaigns/999/preview/{rid}/skip", headers=a1)
        assert nope.status_code == 404
        skipped = await client.post(f"{base}/preview/{rid}/skip", headers=a1)
        assert skipped.status_code == 200, skipped.text
        second = skipped.json()["next"]
        assert skipped.json()["skipped"] == rid and second["record_id"] != rid
        rid2 = second["record_id"]
        assert {first["name"], second["name"]} == {"Li Wei", "Sun Li"}

        assert (await client.post(f"{base}/preview/{rid2}/dial", headers=sup)).status_code == 403
        assert (
            await client.post(f"/api/campaigns/999/preview/{rid2}/dial", headers=a1)
        ).status_code == 404
        # the skipped record is not the agent's any more
        assert (await client.post(f"{base}/preview/{rid}/dial", headers=a1)).status_code == 409
        dialled = await client.post(f"{base}/preview/{rid2}/dial", headers=a1)
        assert dialled.status_code == 200, dialled.text
        assert dialled.json()["status"] == "dialing"

        url = f"{base}/records/{rid2}/disposition"
        sale = {"code": "sale", "items": [ITEM]}
        assert (await client.post(url, json=sale, headers=a2)).status_code == 403
        unknown = f"/api/campaigns/999/records/{rid2}/disposition"
        assert (await client.post(unknown, json=sale, headers=a1)).status_code == 404
        for body, field in [
            ({"code": "robocall"}, "code"),
            ({"code": "sale"}, "items"),
            ({"code": "callback"}, "callback_at"),
            ({"code": "callback", "callback_at": "2001-01-01T00:00:00Z"}, "callback_at"),
            ({"code": "sale", "items": [{**ITEM, "quantity": 0}]}, "quantity"),
        ]:
            response = await client.post(url, json=body, headers=a1)
            assert any(field in loc for loc in _locs(response)), (body, response.text)
        sold = await client.post(url, json=sale, headers=a1)
        assert sold.status_code == 200, sold.text
        assert (sold.json()["status"], sold.json()["closed_reason"]) == ("done", "sale")
        order = sold.json()["order_number"]
        closed = await client.post(url, json={"code": "refused"}, headers=a1)
        assert any("code" in loc for loc in _locs(closed))  # closed: nothing overwritten

        figures = (await client.get(base, headers=sup)).json()
        assert figures["sales"] == 1
        customer = second["customer_id"]
        bundle = (await client.get(f"/api/customers/{customer}/bundle", headers=sup)).json()
        channels = {o["order_number"]: o["channel"] for o in bundle["orders"]}
        assert channels[order] == "telemarketing"
