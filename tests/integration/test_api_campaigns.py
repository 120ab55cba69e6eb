"""`/api/campaigns` (supervisor/admin): build from a segment or a CSV, figures, bad input."""

from __future__ import annotations

from typing import Any

from support import ApiHarness


async def _customer(api: ApiHarness, h: dict[str, str], name: str, **fields: Any) -> int:
    response = await api.client.post("/api/customers", json={"name": name, **fields}, headers=h)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def test_a_segment_builds_a_list_without_do_not_call_customers(api: ApiHarness) -> None:
    """Figure: three senior members (one flagged do-not-call, one without a phone) and one regular
    member -> the senior segment's list has one record; the rest are listed as rejects."""
    h = await api.headers("supervisor")
    await _customer(api, h, "Old Friend", segment="senior", phones=["13800138001"])
    await _customer(
        api, h, "Quiet Please", segment="senior", do_not_call=True, phones=["13800138002"]
    )
    await _customer(api, h, "No Phone", segment="senior")
    await _customer(api, h, "Young One", segment="regular", phones=["13800138003"])
    body = {"name": "New catalogue", "segment": "senior_members", "mode": "progressive"}
    response = await api.client.post("/api/campaigns", json=body, headers=h)
    assert response.status_code == 201, response.text
    got = response.json()
    assert (got["records"], got["list_left"], got["state"]) == (1, 1, "draft")
    assert [r["reason"] for r in got["rejects"]] == ["customer asked not to be called"]
    assert set(got["abandon_rate"]) == {"1h", "24h", "30d"}
    assert "dial_level" in got
    again = await api.client.get(f"/api/campaigns/{got['id']}", headers=h)
    assert again.status_code == 200
    assert again.json()["name"] == "New catalogue"


async def test_csv_list_rejects_per_line_and_honours_the_dnc_table(api: ApiHarness) -> None:
    h = await api.headers("admin")
    dnc = await api.client.post(
        "/api/campaigns/dnc", json={"number": "139 0000 0002", "reason": "asked"}, headers=h
    )
    assert dnc.status_code == 201 and dnc.json() == {"number": "+8613900000002"}
    csv = "number,name\n13900000001,A\nnot-a-number,B\n13900000002,C\n13900000001,D\n"
    body = {"name": "Lapsing", "csv": csv}
    response = await api.client.post("/api/campaigns", json=body, headers=h)
    assert response.status_code == 201, response.text
    got = response.json()
    assert got["records"] == 1
    assert [(r["line"], r["reason"].split(" (")[0]) for r in got["rejects"]] == [
        (3, "not a dialable number"),
        (4, "number is on the do-not-call list"),
        (5, "duplicate number in the list"),
    ]


async def test_bad_bodies_are_422_naming_the_field(api: ApiHarness) -> None:
    h = await api.headers("supervisor")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"name": "x", "segment": "everyone"}, "segment"),
        ({"name": "x", "csv": "1390000001", "mode": "robocall"}, "mode"),
        ({"name": "x", "csv": "13900000001", "abandon_cap_pct": 0}, "abandon_cap_pct"),
        ({"name": "x", "csv": "13900000001", "window": {"days": [9]}}, "window"),
        ({"name": "x", "csv": "13900000001", "window": {"end": "18:20:33Z"}}, "window"),
        ({"name": "x", "csv": "13900000001", "group": "nobody"}, "group"),
        ({"name": "x", "csv": "hello"}, "csv"),
        ({"name": "", "csv": "13900000001"}, "name"),
    ]
    for body, field in cases:
        response = await api.client.post("/api/campaigns", json=body, headers=h)
        assert response.status_code == 422, (body, response.text)
        locs = [e["loc"] for e in response.json()["detail"]]
        assert any(field in loc for loc in locs), (body, locs)
    both = {"name": "x", "csv": "13900000001", "segment": "senior_members"}
    assert (await api.client.post("/api/campaigns", json=both, headers=h)).status_code == 422


async def test_only_managers_run_campaigns_and_unknown_ones_are_404(api: ApiHarness) -> None:
    h = await api.headers("supervisor")
    agent = await api.headers("dialplan")  # any token that is not a manager
    body = {"name": "x", "csv": "13900000001"}
    assert (await api.client.post("/api/campaigns", json=body, headers=agent)).status_code == 403
    assert (await api.client.get("/api/campaigns/999", headers=h)).status_code == 404
    assert (await api.client.post("/api/campaigns/999/start", headers=h)).status_code == 404
    made = (await api.client.post("/api/campaigns", json=body, headers=h)).json()
    # no Asterisk configured in this harness: nothing to dial through
    started = await api.client.post(f"/api/campaigns/{made['id']}/start", headers=h)
    assert started.status_code == 409
    stopped = await api.client.post(f"/api/campaigns/{made['id']}/stop", headers=h)
    assert stopped.status_code == 200 and stopped.json()["state"] == "stopped"
